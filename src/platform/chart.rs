//! Charts drawn on the server as inline SVG (no script, no CDN): columns over time (revenue by
//! day or hour) and horizontal bars for rankings (top items, categories). Each chart carries a
//! `<title>` per bar so a pointer shows the exact figure; the pages print the numbers beside it.

use std::fmt::Write;

/// One bar: its label on the axis, its height, and the figure shown on hover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub figure: String,
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Vertical columns left to right (days, hours). Every `label_every`-th label is written so
/// that 30 days still read at phone width. Empty or all-zero data draws an empty frame.
pub fn columns(title: &str, bars: &[Bar], label_every: usize) -> String {
    // Drawn at one scale (no stretching, so the labels keep their shape), with room at the
    // sides for the first and last label.
    let (w, h, top, bottom, side) = (720.0_f64, 240.0_f64, 10.0, 30.0, 24.0);
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
    let n = bars.len().max(1) as f64;
    let slot = (w - 2.0 * side) / n;
    let bar_w = (slot * 0.8).max(1.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        esc(title)
    );
    let _ = write!(
        svg,
        r#"<line x1="0" y1="{y}" x2="{w}" y2="{y}" class="axis"/>"#,
        y = h - bottom
    );
    for (i, b) in bars.iter().enumerate() {
        let bh = (b.value.max(0) as f64 / max) * (h - top - bottom);
        let x = side + i as f64 * slot + (slot - bar_w) / 2.0;
        let y = h - bottom - bh;
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{bar_w:.1}" height="{bh:.1}" class="bar"><title>{}: {}</title></rect>"#,
            esc(&b.label),
            esc(&b.figure)
        );
        if label_every > 0 && i % label_every == 0 {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"#,
                x + bar_w / 2.0,
                h - bottom + 16.0,
                esc(&b.label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars, largest first as given, the label and figure written on each row.
pub fn bars(title: &str, bars: &[Bar]) -> String {
    let row = 26.0_f64;
    let (w, label_w) = (600.0_f64, 190.0_f64);
    let h = (bars.len().max(1) as f64) * row;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart bars" viewBox="0 0 {w} {h}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        esc(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i as f64 * row;
        let len = (b.value.max(0) as f64 / max) * (w - label_w - 110.0);
        let label: String = b.label.chars().take(26).collect();
        let _ = write!(
            svg,
            r#"<text x="0" y="{:.1}" class="tick">{}</text><rect x="{label_w}" y="{:.1}" width="{len:.1}" height="{:.1}" class="bar"><title>{}: {}</title></rect><text x="{:.1}" y="{:.1}" class="tick">{}</text>"#,
            y + row * 0.65,
            esc(&label),
            y + 4.0,
            row - 8.0,
            esc(&b.label),
            esc(&b.figure),
            label_w + len + 6.0,
            y + row * 0.65,
            esc(&b.figure)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: i64) -> Bar {
        Bar {
            label: label.into(),
            value,
            figure: value.to_string(),
        }
    }

    #[test]
    fn columns_scale_to_the_largest_and_escape_labels() {
        let svg = columns("Revenue", &[bar("<b>", 50), bar("Tue", 100)], 1);
        assert!(svg.contains("&lt;b&gt;"));
        assert!(!svg.contains("<b>"));
        // The largest bar fills the plot (240 − 10 − 30 = 200), the other half of it.
        assert!(svg.contains(r#"height="200.0""#));
        assert!(svg.contains(r#"height="100.0""#));
    }

    #[test]
    fn empty_and_zero_data_draw_an_empty_frame() {
        assert!(columns("Nothing", &[], 1).ends_with("</svg>"));
        let svg = bars("Nothing", &[bar("A", 0)]);
        assert!(svg.contains(r#"width="0.0""#));
    }

    #[test]
    fn bars_write_each_figure() {
        let svg = bars("Top", &[bar("Latte", 12), bar("Mocha", 3)]);
        assert!(svg.contains(">12</text>") && svg.contains(">3</text>"));
    }
}
