//! Where messages go: an SMTP server (no TLS, STARTTLS or TLS, with a login when given), or,
//! without SMTP settings, `.eml` files in a folder of the data directory (so the demo needs no
//! mail server; any mail program opens them).

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::mail::outbox::Claimed;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    None,
    StartTls,
    Tls,
}

impl Tls {
    pub fn parse(raw: &str) -> Result<Tls, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "none" | "off" => Ok(Tls::None),
            "" | "starttls" => Ok(Tls::StartTls),
            "tls" | "ssl" => Ok(Tls::Tls),
            other => Err(format!(
                "TILLPOINT_SMTP_TLS \"{other}\" must be none, starttls or tls"
            )),
        }
    }

    /// The usual port of each mode.
    pub fn default_port(self) -> u16 {
        match self {
            Tls::None => 25,
            Tls::StartTls => 587,
            Tls::Tls => 465,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub tls: Tls,
    pub user: Option<String>,
    pub password: Option<String>,
}

/// The mail settings of `Config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    pub smtp: Option<Smtp>,
    /// The sender, e.g. `SK Gadgets <receipts@example.com>`.
    pub from: String,
    /// Where messages are written without SMTP.
    pub dir: PathBuf,
    /// Days before a due date that the payment reminder goes out.
    pub reminder_days: i64,
}

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

impl Transport {
    pub fn from_config(c: &MailConfig) -> Result<Transport, String> {
        let Some(s) = &c.smtp else {
            std::fs::create_dir_all(&c.dir)
                .map_err(|e| format!("cannot create the mail folder {}: {e}", c.dir.display()))?;
            return Ok(Transport::Files(c.dir.clone()));
        };
        let builder = match s.tls {
            Tls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
            Tls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)
                .map_err(|e| format!("TILLPOINT_SMTP_HOST: {e}"))?,
            Tls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)
                .map_err(|e| format!("TILLPOINT_SMTP_HOST: {e}"))?,
        };
        let mut builder = builder.port(s.port).timeout(Some(Duration::from_secs(20)));
        if let (Some(u), Some(p)) = (&s.user, &s.password) {
            builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
        }
        Ok(Transport::Smtp(builder.build()))
    }

    /// Sends one claimed message; the error says why in words for the outbox page.
    pub async fn send(&self, from: &str, m: &Claimed) -> Result<(), String> {
        let email = build(from, m)?;
        match self {
            Transport::Smtp(t) => t.send(email).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Files(dir) => {
                let path = dir.join(format!("{:08}-{}.eml", m.id, m.kind));
                let bytes = email.formatted();
                tokio::fs::write(&path, bytes)
                    .await
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))
            }
        }
    }
}

/// The MIME message: a plain-text part and an HTML part of the same content.
pub fn build(from: &str, m: &Claimed) -> Result<Message, String> {
    let from: Mailbox = from
        .parse()
        .map_err(|_| format!("the sender address \"{from}\" is not valid"))?;
    let to: Mailbox = if m.to_name.trim().is_empty() {
        m.to_address.parse()
    } else {
        format!("{} <{}>", quote_name(&m.to_name), m.to_address).parse()
    }
    .map_err(|_| format!("the address \"{}\" is not valid", m.to_address))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(m.text_body.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(m.html_body.clone()),
                ),
        )
        .map_err(|e| e.to_string())
}

/// A display name as a quoted string (a comma or quote in a name must not split the address).
fn quote_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .collect();
    format!("\"{clean}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claimed(to: &str, name: &str) -> Claimed {
        Claimed {
            id: 7,
            kind: "receipt".into(),
            to_address: to.into(),
            to_name: name.into(),
            subject: "Receipt MNL-000042".into(),
            text_body: "Total 299.00".into(),
            html_body: "<p>Total 299.00</p>".into(),
            attempts: 1,
        }
    }

    #[test]
    fn messages_carry_text_and_html_and_safe_names() {
        let m = build(
            "Shop <shop@example.com>",
            &claimed("ana@example.com", "Reyes, \"Ana\""),
        )
        .unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/plain") && raw.contains("text/html"));
        assert!(raw.contains("ana@example.com"));
        assert!(build("Shop <shop@example.com>", &claimed("not an address", "")).is_err());
        assert!(build("nobody", &claimed("ana@example.com", "")).is_err());
    }

    #[test]
    fn tls_modes_and_ports() {
        assert_eq!(Tls::parse("").unwrap(), Tls::StartTls);
        assert_eq!(Tls::parse("TLS").unwrap().default_port(), 465);
        assert_eq!(Tls::parse("none").unwrap().default_port(), 25);
        assert!(Tls::parse("maybe").is_err());
    }
}
