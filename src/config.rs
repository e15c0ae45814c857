//! Typed configuration from flags and environment variables, validated once at start-up.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use ipnet::IpNet;

use crate::platform::backup::Schedule;
use crate::platform::db::{DbTarget, SqliteSync};

#[derive(Debug, Parser)]
#[command(
    name = "tillpoint",
    version,
    about = "Point of sale for a gadget store and a cafe under one roof"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Load demo data (3 branches, one employee of every role) before serving. Same as `serve --demo`.
    #[arg(long)]
    pub demo: bool,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve {
        /// Load demo data before serving.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a manager account; the password comes from TILLPOINT_ADMIN_PASSWORD or is generated and printed.
    CreateManager {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
    },
    /// Load demo data into an existing database and exit.
    Demo,
    /// Write a consistent copy of the SQLite database to FILE (PostgreSQL: use pg_dump).
    Backup { file: PathBuf },
    /// Replace the SQLite database with a backup FILE (checked first; the replaced database is kept aside). Stop the server first.
    Restore { file: PathBuf },
    /// Queue today's payment reminders and overdue notices, send what is due in the e-mail outbox, and exit (the server does this every hour).
    SendReminders,
    /// Copy every row of the SQLite database into an empty PostgreSQL database (stop the server first).
    CopyDatabase {
        /// postgres://user@host:5432/database — must be empty (or only migrated).
        #[arg(long)]
        to: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(
        long,
        env = "TILLPOINT_ADDR",
        default_value = "127.0.0.1:8000",
        global = true
    )]
    pub addr: String,
    /// `postgres://…` or a SQLite file path (default: tillpoint.sqlite3 in the data directory).
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Data directory: SQLite database and the session key.
    #[arg(
        long,
        env = "TILLPOINT_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Business time zone (IANA name): "today" and every date filter use it.
    #[arg(
        long,
        env = "TILLPOINT_TIMEZONE",
        default_value = "Asia/Manila",
        global = true
    )]
    pub timezone: String,
    /// ISO 4217 currency code shown on pages and receipts.
    #[arg(long, env = "TILLPOINT_CURRENCY", default_value = "PHP", global = true)]
    pub currency: String,
    /// Send the session cookie over plain HTTP too (no `Secure` flag). For a LAN without TLS.
    #[arg(long, env = "TILLPOINT_INSECURE_COOKIES", global = true, action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub insecure_cookies: bool,
    /// Comma-separated proxy addresses or networks whose X-Forwarded-For is believed.
    #[arg(
        long,
        env = "TILLPOINT_TRUSTED_PROXIES",
        default_value = "",
        global = true
    )]
    pub trusted_proxies: String,
    /// Log filter, e.g. `info` or `tillpoint=debug,actix_web=info`.
    #[arg(long, env = "TILLPOINT_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Password of the demo accounts.
    #[arg(
        long,
        env = "TILLPOINT_DEMO_PASSWORD",
        default_value = "tillpoint-demo",
        global = true,
        hide_env_values = true
    )]
    pub demo_password: String,
    /// Password of the first manager of an empty database (generated and printed when unset).
    #[arg(
        long,
        env = "TILLPOINT_ADMIN_PASSWORD",
        global = true,
        hide_env_values = true
    )]
    pub admin_password: Option<String>,
    /// Business name printed on pages and receipts.
    #[arg(
        long,
        env = "TILLPOINT_BUSINESS_NAME",
        default_value = "tillpoint",
        global = true
    )]
    pub business_name: String,
    /// Minutes without a request after which a staff session ends.
    #[arg(
        long,
        env = "TILLPOINT_SESSION_IDLE_MINUTES",
        default_value_t = 480,
        global = true
    )]
    pub session_idle_minutes: u32,
    /// The address guests' phones reach this server at, encoded in the tables' QR codes
    /// (e.g. http://192.168.1.20:8080). Managers can change it under Settings → Cafe.
    #[arg(long, env = "TILLPOINT_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Web server worker threads (default: one per core).
    #[arg(long, env = "TILLPOINT_WORKERS", global = true)]
    pub workers: Option<usize>,
    /// SQLite durability: `full` (default: an answered sale survives a power cut) or `normal`
    /// (faster commits; a power cut may lose the last sales).
    #[arg(
        long,
        env = "TILLPOINT_SQLITE_SYNCHRONOUS",
        default_value = "full",
        global = true
    )]
    pub sqlite_synchronous: String,
    /// SQLite: business-local time of the daily backup (HH:MM), or `off`.
    #[arg(
        long,
        env = "TILLPOINT_BACKUP_AT",
        default_value = "23:00",
        global = true
    )]
    pub backup_at: String,
    /// SQLite: folder of the daily backups (default: `backups` in the data directory).
    #[arg(long, env = "TILLPOINT_BACKUP_DIR", global = true)]
    pub backup_dir: Option<PathBuf>,
    /// SQLite: how many daily backups to keep (the newest).
    #[arg(
        long,
        env = "TILLPOINT_BACKUP_KEEP",
        default_value_t = 14,
        global = true
    )]
    pub backup_keep: usize,
    /// SMTP server for e-mail (receipts, reminders). Unset: messages are written as `.eml`
    /// files to the `mail` folder of the data directory.
    #[arg(long, env = "TILLPOINT_SMTP_HOST", global = true)]
    pub smtp_host: Option<String>,
    /// SMTP port (default: 587 with STARTTLS, 465 with TLS, 25 without).
    #[arg(long, env = "TILLPOINT_SMTP_PORT", global = true)]
    pub smtp_port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    #[arg(
        long,
        env = "TILLPOINT_SMTP_TLS",
        default_value = "starttls",
        global = true
    )]
    pub smtp_tls: String,
    #[arg(long, env = "TILLPOINT_SMTP_USER", global = true)]
    pub smtp_user: Option<String>,
    #[arg(
        long,
        env = "TILLPOINT_SMTP_PASSWORD",
        global = true,
        hide_env_values = true
    )]
    pub smtp_password: Option<String>,
    /// The sender of e-mail, e.g. `SK Gadgets <receipts@example.com>`.
    #[arg(long, env = "TILLPOINT_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// Days before a due date that the payment reminder is sent.
    #[arg(
        long,
        env = "TILLPOINT_REMINDER_DAYS",
        default_value_t = 5,
        global = true
    )]
    pub reminder_days: u32,
}

/// Settings after validation: everything the application needs, passed by value.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub db: DbTarget,
    pub data_dir: PathBuf,
    pub tz: chrono_tz::Tz,
    pub currency: String,
    pub secure_cookies: bool,
    pub trusted_proxies: Vec<IpNet>,
    pub log: String,
    pub demo_password: String,
    pub admin_password: Option<String>,
    pub business_name: String,
    pub session_idle_minutes: i64,
    pub bcrypt_cost: u32,
    pub workers: Option<usize>,
    pub public_url: Option<String>,
    pub sqlite_sync: SqliteSync,
    pub backup: Schedule,
    pub mail: crate::mail::transport::MailConfig,
}

impl Settings {
    fn mail(&self) -> Result<crate::mail::transport::MailConfig, String> {
        use crate::mail::transport::{MailConfig, Smtp, Tls};
        let tls = Tls::parse(&self.smtp_tls)?;
        let smtp = match self.smtp_host.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(host) => Some(Smtp {
                host: host.to_string(),
                port: self.smtp_port.unwrap_or(tls.default_port()),
                tls,
                user: self.smtp_user.clone().filter(|u| !u.is_empty()),
                password: self.smtp_password.clone(),
            }),
        };
        let from = match self.mail_from.as_deref().map(str::trim) {
            None | Some("") => format!("{} <noreply@localhost>", self.business_name.trim()),
            Some(f) => f.to_string(),
        };
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(format!(
                "TILLPOINT_MAIL_FROM \"{from}\" is not an address such as Shop <receipts@example.com>"
            ));
        }
        if self.reminder_days == 0 || self.reminder_days > 60 {
            return Err("TILLPOINT_REMINDER_DAYS must be between 1 and 60".into());
        }
        Ok(MailConfig {
            smtp,
            from,
            dir: self.data_dir.join("mail"),
            reminder_days: i64::from(self.reminder_days),
        })
    }

    pub fn validate(&self) -> Result<Config, String> {
        let addr: SocketAddr = self.addr.parse().map_err(|_| {
            format!(
                "TILLPOINT_ADDR \"{}\" is not an address such as 127.0.0.1:8000",
                self.addr
            )
        })?;
        let db = match &self.database_url {
            Some(url) => DbTarget::parse(url)?,
            None => DbTarget::Sqlite(self.data_dir.join("tillpoint.sqlite3")),
        };
        let tz: chrono_tz::Tz = self.timezone.parse().map_err(|_| {
            format!(
                "TILLPOINT_TIMEZONE \"{}\" is not an IANA time zone such as Asia/Manila",
                self.timezone
            )
        })?;
        let currency = self.currency.trim().to_ascii_uppercase();
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(format!(
                "TILLPOINT_CURRENCY \"{}\" is not a three-letter code such as PHP",
                self.currency
            ));
        }
        let trusted_proxies = parse_proxies(&self.trusted_proxies)?;
        if self.session_idle_minutes == 0 || self.session_idle_minutes > 7 * 24 * 60 {
            return Err("TILLPOINT_SESSION_IDLE_MINUTES must be between 1 and 10080".into());
        }
        if let Some(p) = &self.admin_password {
            crate::platform::auth::password::check_strength(p)
                .map_err(|e| format!("TILLPOINT_ADMIN_PASSWORD: {e}"))?;
        }
        crate::platform::auth::password::check_strength(&self.demo_password)
            .map_err(|e| format!("TILLPOINT_DEMO_PASSWORD: {e}"))?;
        Ok(Config {
            addr,
            db,
            data_dir: self.data_dir.clone(),
            tz,
            currency,
            secure_cookies: !self.insecure_cookies,
            trusted_proxies,
            log: self.log.clone(),
            demo_password: self.demo_password.clone(),
            admin_password: self.admin_password.clone(),
            business_name: self.business_name.trim().to_string(),
            session_idle_minutes: i64::from(self.session_idle_minutes),
            bcrypt_cost: bcrypt::DEFAULT_COST,
            workers: self.workers,
            public_url: match &self.public_url {
                Some(u) => Some(
                    normalise_public_url(u).map_err(|e| format!("TILLPOINT_PUBLIC_URL: {e}"))?,
                ),
                None => None,
            },
            sqlite_sync: SqliteSync::parse(&self.sqlite_synchronous)?,
            mail: self.mail()?,
            backup: Schedule {
                at: crate::platform::backup::parse_time(&self.backup_at)?,
                dir: self
                    .backup_dir
                    .clone()
                    .unwrap_or_else(|| self.data_dir.join("backups")),
                keep: if (1..=3650).contains(&self.backup_keep) {
                    self.backup_keep
                } else {
                    return Err("TILLPOINT_BACKUP_KEEP must be between 1 and 3650".into());
                },
            },
        })
    }
}

/// `http(s)://host[:port][/prefix]` without a trailing slash, query or fragment.
pub fn normalise_public_url(raw: &str) -> Result<String, String> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or("the public address must start with http:// or https://")?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty()
        || url.len() > 200
        || url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "?#\\\"<>'".contains(c))
    {
        return Err("the public address must look like http://192.168.1.20:8080".into());
    }
    Ok(url.to_string())
}

fn parse_proxies(list: &str) -> Result<Vec<IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    format!("TILLPOINT_TRUSTED_PROXIES: \"{s}\" is not an address or network")
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insecure_cookies_accepts_the_usual_spellings() {
        for (value, expected) in [
            ("1", true),
            ("true", true),
            ("yes", true),
            ("0", false),
            ("false", false),
        ] {
            std::env::set_var("TILLPOINT_INSECURE_COOKIES", value);
            let cli = Cli::try_parse_from(["tillpoint", "migrate"]).unwrap();
            assert_eq!(cli.settings.insecure_cookies, expected, "{value}");
        }
        std::env::remove_var("TILLPOINT_INSECURE_COOKIES");
        assert!(
            Cli::try_parse_from(["tillpoint", "--insecure-cookies"])
                .unwrap()
                .settings
                .insecure_cookies
        );
    }

    #[test]
    fn public_urls() {
        assert_eq!(
            normalise_public_url(" http://192.168.1.20:8080/ ").unwrap(),
            "http://192.168.1.20:8080"
        );
        assert!(normalise_public_url("https://cafe.example/menu").is_ok());
        for bad in [
            "ftp://x",
            "http://",
            "http://a b",
            "http://x/?q=1",
            "javascript:alert(1)",
        ] {
            assert!(normalise_public_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn proxies_accept_addresses_and_networks() {
        let p = parse_proxies("127.0.0.1, 10.0.0.0/8,::1").unwrap();
        assert_eq!(p.len(), 3);
        assert!(parse_proxies("nonsense").is_err());
        assert!(parse_proxies("").unwrap().is_empty());
    }
}
