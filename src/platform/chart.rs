//! Charts drawn on the server as inline SVG by `plotters` (no script, no CDN, prints as
//! vectors): columns over time (revenue by day, week or hour) and horizontal bars for rankings
//! (top products, branches, employees). Every page prints the numbers of a chart in a table
//! beside it, so the chart only has to be right, not exhaustive; its accessible name is the
//! title.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One bar: its label on the axis, its height, and its figure (written beside a horizontal bar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub figure: String,
}

/// What the value axis counts: money in minor units (the axis shows whole units) or things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    Money,
    Count,
}

impl Axis {
    /// A tick label: whole currency units or a count, shortened to k / M past four digits.
    fn tick(self, value: i64) -> String {
        let v = match self {
            Axis::Money => value as f64 / 100.0,
            Axis::Count => value as f64,
        };
        let a = v.abs();
        if a >= 1_000_000.0 {
            format!("{:.1}M", v / 1_000_000.0)
        } else if a >= 10_000.0 {
            format!("{:.0}k", v / 1_000.0)
        } else {
            format!("{v:.0}")
        }
    }
}

const BRAND: RGBColor = RGBColor(0x0f, 0x5f, 0xa8);
const INK: RGBColor = RGBColor(0x1d, 0x24, 0x30);
const GRID: RGBColor = RGBColor(0xe2, 0xe8, 0xf0);

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Gives the drawn SVG its class (the page's CSS scales it to the column), its name, and
/// the class `bar` to each bar (for the page's hover style and its tests).
fn finish(svg: String, title: &str, class: &str) -> String {
    svg.replace(
        r##"fill="#0F5FA8" stroke="none"/>"##,
        r##"fill="#0F5FA8" stroke="none" class="bar"/>"##,
    )
    .replacen(
        "<svg ",
        &format!(
            r#"<svg class="{class}" role="img" aria-label="{}" "#,
            escape_attr(title)
        ),
        1,
    )
}

/// The largest value, at least 1 so an empty or all-zero chart still has an axis.
fn top(bars: &[Bar]) -> i64 {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    // A little headroom above the tallest bar.
    max + max / 10 + 1
}

fn label_of(bars: &[Bar], v: &SegmentValue<usize>, every: usize) -> String {
    match v {
        SegmentValue::CenterOf(i) if every > 0 && i % every == 0 => {
            bars.get(*i).map(|b| b.label.clone()).unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// Vertical columns left to right (days, weeks, hours). Every `label_every`-th label is
/// written so that 30 days still read at phone width.
pub fn columns(title: &str, bars: &[Bar], label_every: usize, axis: Axis) -> String {
    let mut svg = String::new();
    // A segmented `0..n` has `n + 1` slots: one per bar and an empty one at the end (a single
    // slot would draw no label).
    let n = bars.len().max(1);
    let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, (720, 260)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(26)
            .y_label_area_size(52)
            .build_cartesian_2d((0..n).into_segmented(), 0i64..top(bars))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(INK)
            .x_labels(n)
            .y_labels(5)
            .label_style(("sans-serif", 16).into_font().color(&INK))
            .x_label_formatter(&|v| label_of(bars, v, label_every))
            .y_label_formatter(&|v| axis.tick(*v))
            .draw()?;
        chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
            let mut r = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0),
                    (SegmentValue::Exact(i + 1), b.value.max(0)),
                ],
                BRAND.filled(),
            );
            r.set_margin(0, 0, 2, 2);
            r
        }))?;
        root.present()?;
        Ok(())
    })();
    if let Err(e) = drawn {
        tracing::warn!(error = %e, title, "chart not drawn");
    }
    finish(svg, title, "chart")
}

/// Horizontal bars, largest first as given, each row's label on the left and its figure at
/// the end of the bar.
pub fn bars(title: &str, bars: &[Bar]) -> String {
    let mut svg = String::new();
    let n = bars.len().max(1);
    let height = (n as u32 + 1) * 26 + 36;
    let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, (640, height)).into_drawing_area();
        root.fill(&WHITE)?;
        // Room after the longest bar for its figure.
        let max = top(bars) * 3 / 2;
        let mut chart = ChartBuilder::on(&root)
            .margin(6)
            .x_label_area_size(22)
            .y_label_area_size(180)
            .build_cartesian_2d(0i64..max, (0..n).into_segmented())?;
        // Row 0 (the largest) is drawn at the top.
        let row = |i: usize| n - 1 - i;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(INK)
            .y_labels(n)
            .x_labels(4)
            .label_style(("sans-serif", 16).into_font().color(&INK))
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if *i < bars.len() => {
                    bars[row(*i)].label.chars().take(24).collect()
                }
                _ => String::new(),
            })
            .x_label_formatter(&|_| String::new())
            .draw()?;
        chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
            let mut r = Rectangle::new(
                [
                    (0, SegmentValue::Exact(row(i))),
                    (b.value.max(0), SegmentValue::Exact(row(i) + 1)),
                ],
                BRAND.filled(),
            );
            r.set_margin(4, 4, 0, 0);
            r
        }))?;
        chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
            Text::new(
                b.figure.clone(),
                (b.value.max(0) + max / 100, SegmentValue::CenterOf(row(i))),
                ("sans-serif", 16)
                    .into_font()
                    .color(&INK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            )
        }))?;
        root.present()?;
        Ok(())
    })();
    if let Err(e) = drawn {
        tracing::warn!(error = %e, title, "chart not drawn");
    }
    finish(svg, title, "chart bars")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: i64) -> Bar {
        Bar {
            label: label.into(),
            value,
            figure: format!("{value} sold"),
        }
    }

    /// The words of every `<text>`, whitespace trimmed.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text ")
            .skip(1)
            .filter_map(|t| {
                Some(
                    t.split_once('>')?
                        .1
                        .split("</text>")
                        .next()?
                        .trim()
                        .to_string(),
                )
            })
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// The rectangles filled with the bars' colour, as (width, height).
    fn filled(svg: &str) -> Vec<(f64, f64)> {
        svg.split("<rect ")
            .skip(1)
            .filter(|r| r.contains("#0F5FA8") || r.contains("#0f5fa8"))
            .map(|r| {
                let attr = |name: &str| -> f64 {
                    let at = r.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                    r[at..].split('"').next().unwrap().parse().unwrap()
                };
                (attr("width"), attr("height"))
            })
            .collect()
    }

    #[test]
    fn columns_are_valid_svg_named_and_scaled() {
        let svg = columns(
            "Revenue <by day>",
            &[bar("Mon", 50), bar("Tue", 100)],
            1,
            Axis::Money,
        );
        assert!(svg.starts_with("<svg class=\"chart\" role=\"img\""));
        assert!(svg.contains(r#"aria-label="Revenue &lt;by day&gt;""#));
        assert!(svg.trim_end().ends_with("</svg>"));
        let words = texts(&svg);
        assert!(
            words.contains(&"Mon".into()) && words.contains(&"Tue".into()),
            "{words:?}"
        );
        let rects = filled(&svg);
        assert_eq!(rects.len(), 2);
        assert_eq!(svg.matches("class=\"bar\"").count(), 2);
        // Tuesday's column is twice Monday's (within a pixel of rounding).
        assert!((rects[1].1 - 2.0 * rects[0].1).abs() <= 2.0, "{rects:?}");
    }

    #[test]
    fn labels_are_escaped() {
        let svg = bars("Top", &[bar("<b>Latte</b>", 3)]);
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("&lt;b&gt;Latte"));
    }

    #[test]
    fn empty_and_zero_data_draw_an_empty_frame() {
        let svg = columns("Nothing", &[], 1, Axis::Count);
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(filled(&svg).is_empty());
        let svg = bars("Nothing", &[bar("A", 0)]);
        assert!(filled(&svg).iter().all(|(w, _)| *w <= 1.0));
    }

    #[test]
    fn bars_write_each_figure_largest_on_top() {
        let svg = bars("Top", &[bar("Latte", 12), bar("Mocha", 3)]);
        let words = texts(&svg);
        assert!(words.contains(&"12 sold".into()) && words.contains(&"3 sold".into()));
        let rects = filled(&svg);
        assert!(rects[0].0 > 3.0 * rects[1].0, "{rects:?}");
        assert!(words.contains(&"Latte".into()) && words.contains(&"Mocha".into()));
    }

    #[test]
    fn ticks_shorten_large_numbers() {
        assert_eq!(Axis::Money.tick(150_000), "1500");
        assert_eq!(Axis::Money.tick(2_500_000), "25k");
        assert_eq!(Axis::Count.tick(3_400_000), "3.4M");
    }
}
