//! `TestApp`: the real application on a fresh database (SQLite file, or a new PostgreSQL
//! database when TEST_DATABASE_URL is set), and `Client`, a browser-like cookie jar.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_http::Request;
use actix_web::body::MessageBody;
use actix_web::cookie::Key;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::{test, web};
use diesel::prelude::*;
use futures_util::future::LocalBoxFuture;

use tillpoint::config::Config;
use tillpoint::platform::auth::{password, Role};
use tillpoint::platform::db::{run_migrations, AnyConnection, Db, DbTarget};
use tillpoint::platform::schema::{audit_log, branches, employees};
use tillpoint::platform::state::AppState;

pub const PASSWORD: &str = "secret-pass-1";
static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn test_config(db: DbTarget, data_dir: std::path::PathBuf) -> Config {
    let backups = data_dir.join("backups");
    let mail_dir = data_dir.join("mail");
    Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        db,
        data_dir,
        tz: chrono_tz::Asia::Manila,
        currency: "PHP".into(),
        secure_cookies: false,
        trusted_proxies: vec!["10.0.0.1/32".parse().unwrap()],
        log: "warn".into(),
        demo_password: "tillpoint-demo".into(),
        admin_password: None,
        business_name: "Test Shop".into(),
        session_idle_minutes: 60,
        bcrypt_cost: 4,
        workers: Some(1),
        public_url: None,
        sqlite_sync: Default::default(),
        backup: tillpoint::platform::backup::Schedule {
            at: None,
            dir: backups,
            keep: 14,
        },
        mail: tillpoint::mail::transport::MailConfig {
            smtp: None,
            from: "Test Shop <receipts@example.com>".into(),
            dir: mail_dir,
            reminder_days: 5,
        },
    }
}

/// A fresh, migrated, empty database.
/// A new database and folder for one test; they are removed when the returned `Cleanup` drops
/// (keep it bound to a named variable for the whole test).
pub fn fresh_db() -> (Db, DbTarget, std::path::PathBuf, Cleanup) {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let dir = std::env::temp_dir().join(format!("tillpoint-it-{}-{n}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(_) => DbTarget::Postgres(new_pg_database()),
        None => DbTarget::Sqlite(dir.join("test.sqlite3")),
    };
    let db = Db::connect(&target).unwrap();
    run_migrations(&mut db.pool().get().unwrap()).unwrap();
    let cleanup = Cleanup {
        target: target.clone(),
        dir: dir.clone(),
    };
    (db, target, dir, cleanup)
}

/// A new, empty PostgreSQL database on the TEST_DATABASE_URL server; its URL.
pub fn new_pg_database() -> String {
    let admin_url = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!("tp_{}_{n}_{nanos}", std::process::id());
    let mut admin = diesel::PgConnection::establish(&admin_url)
        .expect("TEST_DATABASE_URL must reach PostgreSQL");
    diesel::connection::SimpleConnection::batch_execute(
        &mut admin,
        &format!("CREATE DATABASE {name}"),
    )
    .unwrap();
    replace_db_name(&admin_url, &name)
}

/// A fresh temporary folder for a test's files.
pub fn temp_dir(what: &str) -> std::path::PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("tillpoint-{what}-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map(|(b, q)| (b, format!("?{q}")))
        .unwrap_or((url, String::new()));
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    match base[scheme_end..].find('/') {
        Some(slash) => format!("{}/{name}{query}", &base[..scheme_end + slash]),
        None => format!("{base}/{name}{query}"),
    }
}

pub struct Seed {
    pub main_branch: i64,
    pub cebu_branch: i64,
    pub ids: HashMap<&'static str, i64>,
}

pub const STAFF: [(&str, Role); 5] = [
    ("manager", Role::Manager),
    ("agent", Role::SalesAgent),
    ("credit", Role::CreditOfficer),
    ("kitchen", Role::Kitchen),
    ("waiter", Role::Waiter),
];

pub fn seed(conn: &mut AnyConnection) -> Seed {
    let now = chrono::Utc::now().naive_utc();
    let mut branch = |name: &str, code: &str| -> i64 {
        diesel::insert_into(branches::table)
            .values((
                branches::name.eq(name),
                branches::code.eq(code),
                branches::address.eq(""),
                branches::phone.eq(""),
                branches::is_active.eq(true),
                branches::created_at.eq(now),
                branches::updated_at.eq(now),
            ))
            .returning(branches::id)
            .get_result(conn)
            .unwrap()
    };
    let main_branch = branch("Main Branch", "MNL");
    let cebu_branch = branch("Cebu Branch", "CEB");
    let hash = password::hash(PASSWORD, 4).unwrap();
    let mut ids = HashMap::new();
    for (username, role) in STAFF {
        let id = insert_employee(conn, username, role, Some(main_branch), &hash);
        ids.insert(username, id);
    }
    // A shop in the middle of its day: a register per till, and the sales agent and the
    // manager each have a shift open (tests of shifts themselves use other tills and people).
    for (register, seller) in [
        ("MNL Till 1", Some("agent")),
        ("MNL Till 2", Some("manager")),
        ("MNL Till 3", None),
    ] {
        let id = register_at(conn, main_branch, register);
        if let Some(who) = seller {
            open_shift(conn, ids[who], id, 0);
        }
    }
    register_at(conn, cebu_branch, "CEB Till 1");
    Seed {
        main_branch,
        cebu_branch,
        ids,
    }
}

/// A register at a branch, through the real model.
pub fn register_at(conn: &mut AnyConnection, branch: i64, name: &str) -> i64 {
    let actor = tillpoint::platform::audit::Actor::system();
    tillpoint::registers::model::create(
        conn,
        &actor,
        &tillpoint::registers::model::RegisterInput {
            branch_id: branch,
            name: name.into(),
            ..Default::default()
        },
        chrono::Utc::now().naive_utc(),
    )
    .unwrap()
}

/// Opens a shift for `employee` on `register` with a float of `float` minor units.
pub fn open_shift(conn: &mut AnyConnection, employee: i64, register: i64, float: i64) -> i64 {
    use tillpoint::registers::shifts::{model, rules::Count};
    let actor = tillpoint::platform::audit::Actor {
        employee_id: Some(employee),
        ip: None,
    };
    let now = chrono::Utc::now().naive_utc();
    // The shift's business day is the shop's (the test config's zone), not UTC's: they differ
    // for eight hours of every UTC day.
    let today = tillpoint::platform::clock::BusinessClock::new(chrono_tz::Asia::Manila).today();
    model::open(
        conn,
        &actor,
        &model::NewShift {
            register_id: register,
            float: &Count {
                pieces: Vec::new(),
                total: tillpoint::platform::money::Money(float),
            },
            key: &format!("seed-shift-{employee}"),
        },
        now,
        today,
    )
    .unwrap()
}

pub fn insert_employee(
    conn: &mut AnyConnection,
    username: &str,
    role: Role,
    branch: Option<i64>,
    hash: &str,
) -> i64 {
    let now = chrono::Utc::now().naive_utc();
    diesel::insert_into(employees::table)
        .values((
            employees::username.eq(username),
            employees::name.eq(format!("{} Person", capital(username))),
            employees::role.eq(role.as_str()),
            employees::branch_id.eq(branch),
            employees::hire_date.eq(now.date()),
            employees::is_active.eq(true),
            employees::password_hash.eq(hash),
            employees::is_logged_in.eq(false),
            employees::created_at.eq(now),
            employees::updated_at.eq(now),
        ))
        .returning(employees::id)
        .get_result(conn)
        .unwrap()
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// A response with its body read.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
    pub body: String,
    pub set_cookies: Vec<(String, String, bool)>,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Resp {
        assert_eq!(
            self.status,
            status,
            "unexpected status; body:\n{}",
            &self.body.chars().take(3000).collect::<String>()
        );
        self
    }

    /// A page that answered (2xx) and does not show `text`: an error page would not show it
    /// either, so the status is checked first.
    #[track_caller]
    pub fn expect_absent(&self, text: &str) -> &Resp {
        assert!(
            (200..300).contains(&self.status),
            "expected a page without {text:?}, got status {}: {}",
            self.status,
            &self.body.chars().take(500).collect::<String>()
        );
        assert!(
            !self.body.contains(text),
            "{text:?} should not be on the page:\n{}",
            &self.body.chars().take(4000).collect::<String>()
        );
        self
    }

    /// The form marks `field` with a message containing `text` (beside that input, not only
    /// in the summary at the top).
    #[track_caller]
    pub fn expect_field_error(&self, field: &str, text: &str) -> &Resp {
        let marker = format!("id=\"{field}-error\">");
        let at = self.body.find(&marker).unwrap_or_else(|| {
            panic!(
                "no error beside {field:?}; body:\n{}",
                &self.body.chars().take(4000).collect::<String>()
            )
        });
        let rest = &self.body[at + marker.len()..];
        let message = &rest[..rest.find("</p>").unwrap_or(rest.len())];
        assert!(
            message.contains(text),
            "the error beside {field:?} is {message:?}, expected {text:?}"
        );
        self
    }

    #[track_caller]
    pub fn expect_text(&self, text: &str) -> &Resp {
        assert!(
            self.body.contains(text),
            "expected {text:?} in body:\n{}",
            &self.body.chars().take(4000).collect::<String>()
        );
        self
    }
}

/// action, record_type, record_id, label, changes, ip, employee_id
pub type AuditTuple = (
    String,
    String,
    Option<i64>,
    String,
    String,
    Option<String>,
    Option<i64>,
);

type Call = Rc<dyn Fn(Request) -> LocalBoxFuture<'static, Resp>>;
type RawCall =
    Rc<dyn Fn(Request) -> LocalBoxFuture<'static, ServiceResponse<actix_web::body::BoxBody>>>;

#[derive(Clone)]
pub struct TestApp {
    call: Call,
    raw: RawCall,
    #[allow(dead_code)]
    pub state: web::Data<AppState>,
    pub db: Db,
    pub seed: Rc<Seed>,
    #[allow(dead_code)]
    pub data_dir: std::path::PathBuf,
    /// Set on the instance that made the database: it goes when the test ends.
    cleanup: Option<Rc<Cleanup>>,
}

/// A test's own database and folder, removed when the test is over (its last field drops).
pub struct Cleanup {
    target: DbTarget,
    dir: std::path::PathBuf,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let DbTarget::Postgres(url) = &self.target {
            if let (Ok(admin_url), Some(name)) = (
                std::env::var("TEST_DATABASE_URL"),
                url.rsplit('/')
                    .next()
                    .map(|n| n.split('?').next().unwrap_or(n)),
            ) {
                // FORCE ends the pool's and the live listener's connections first.
                if let Ok(mut admin) = diesel::PgConnection::establish(&admin_url) {
                    let _ = diesel::connection::SimpleConnection::batch_execute(
                        &mut admin,
                        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    );
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with(|_| {}).await
    }

    pub async fn with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let (db, target, dir, cleanup) = fresh_db();
        let seed = seed(&mut db.pool().get().unwrap());
        let mut config = test_config(target, dir.clone());
        adjust(&mut config);
        let mut app = TestApp::start(config, db, seed).await;
        app.cleanup = Some(Rc::new(cleanup));
        app
    }

    /// The application on an existing database (demo data, a copy, a restore): the seed's
    /// branches and staff are read from it.
    pub async fn on(target: DbTarget, dir: std::path::PathBuf) -> TestApp {
        let db = Db::connect(&target).unwrap();
        run_migrations(&mut db.pool().get().unwrap()).unwrap();
        let mut conn = db.pool().get().unwrap();
        let mut branch = |code: &str| -> i64 {
            branches::table
                .filter(branches::code.eq(code))
                .select(branches::id)
                .first(&mut *conn)
                .unwrap_or(0)
        };
        let (main_branch, cebu_branch) = (branch("MNL"), branch("CEB"));
        let staff: Vec<(String, i64)> = employees::table
            .select((employees::username, employees::id))
            .load(&mut *conn)
            .unwrap();
        drop(conn);
        let mut ids = HashMap::new();
        for (username, _) in STAFF {
            if let Some((_, id)) = staff.iter().find(|(u, _)| u == username) {
                ids.insert(username, *id);
            }
        }
        let seed = Seed {
            main_branch,
            cebu_branch,
            ids,
        };
        TestApp::start(test_config(target, dir), db, seed).await
    }

    async fn start(config: Config, db: Db, seed: Seed) -> TestApp {
        let dir = config.data_dir.clone();
        let state = web::Data::new(AppState::new(config, db.clone()).unwrap());
        let svc = Rc::new(
            test::init_service(tillpoint::app::build_app(state.clone(), Key::generate())).await,
        );
        let svc2 = svc.clone();
        let call: Call = Rc::new(move |req: Request| {
            let svc = svc.clone();
            Box::pin(async move { read(svc.call(req).await).await })
        });
        let raw: RawCall = Rc::new(move |req: Request| {
            let svc = svc2.clone();
            Box::pin(async move {
                svc.call(req)
                    .await
                    .expect("service error escaped the middleware")
                    .map_into_boxed_body()
            })
        });
        TestApp {
            call,
            raw,
            state,
            db,
            seed: Rc::new(seed),
            data_dir: dir,
            cleanup: None,
        }
    }

    /// A second instance of the application on the same database (its own pool, state, live
    /// event hub and cookie key), as a second server behind a proxy would be.
    pub async fn second_instance(&self) -> TestApp {
        let config = self.state.config.clone();
        let db = Db::connect(&config.db).unwrap();
        let seed = Seed {
            main_branch: self.seed.main_branch,
            cebu_branch: self.seed.cebu_branch,
            ids: self.seed.ids.clone(),
        };
        TestApp::start(config, db, seed).await
    }

    pub fn client(&self) -> Client {
        self.client_from("192.0.2.10:40000")
    }

    pub fn client_from(&self, addr: &str) -> Client {
        Client {
            app: self.clone(),
            jar: RefCell::new(HashMap::new()),
            csrf: RefCell::new(String::new()),
            peer: addr.parse().unwrap(),
        }
    }

    /// A client already signed in as one of the seeded staff.
    pub async fn signed_in(&self, username: &str) -> Client {
        let c = self.client();
        c.login(username, PASSWORD).await.expect(303);
        c
    }

    /// Opens a shift for `username` on a free register of their branch (a new one if every
    /// register is taken); the shift's id.
    pub fn open_shift(&self, username: &str) -> i64 {
        use tillpoint::platform::schema::{employees, registers, shifts};
        let conn = &mut *self.conn();
        let (id, branch): (i64, Option<i64>) = employees::table
            .filter(employees::username.eq(username))
            .select((employees::id, employees::branch_id))
            .first(conn)
            .unwrap();
        let branch = branch.expect("the employee has a branch");
        let busy = shifts::table
            .filter(shifts::closed_at.is_null())
            .select(shifts::register_id);
        let free: Option<i64> = registers::table
            .filter(registers::branch_id.eq(branch))
            .filter(registers::is_active.eq(true))
            .filter(registers::id.ne_all(busy))
            .select(registers::id)
            .first(conn)
            .optional()
            .unwrap();
        let register =
            free.unwrap_or_else(|| register_at(conn, branch, &format!("Till of {username}")));
        open_shift(conn, id, register, 0)
    }

    /// Stock arrives at a branch through the real adjustment service.
    pub fn receive(&self, branch: i64, product: i64, quantity: i64, serials: &[&str]) {
        use tillpoint::retail::stock::rules::{Adjustment, AdjustmentKind};
        let actor = tillpoint::platform::audit::Actor {
            employee_id: Some(self.id("manager")),
            ip: None,
        };
        let a = Adjustment {
            branch_id: branch,
            kind: AdjustmentKind::Receive,
            quantity,
            reason: "Delivery".into(),
            serials: serials.iter().map(|s| s.to_string()).collect(),
        };
        tillpoint::platform::db::write_tx(&mut self.conn(), |c| {
            tillpoint::retail::stock::model::adjust(c, &actor, product, &a)
        })
        .unwrap();
    }

    /// The id of a seeded employee, or of one a test added.
    pub fn id(&self, username: &str) -> i64 {
        match self.seed.ids.get(username) {
            Some(id) => *id,
            None => employees::table
                .filter(employees::username.eq(username))
                .select(employees::id)
                .first(&mut *self.conn())
                .unwrap(),
        }
    }

    pub fn conn(
        &self,
    ) -> diesel::r2d2::PooledConnection<tillpoint::platform::db::ConnectionManager> {
        self.db.pool().get().unwrap()
    }

    pub fn audit_count(&self) -> i64 {
        audit_log::table
            .count()
            .get_result(&mut *self.conn())
            .unwrap()
    }

    /// (action, record_type, record_id, label, changes, ip, employee) of the newest audit rows first.
    pub fn audit_rows(&self) -> Vec<AuditTuple> {
        audit_log::table
            .order(audit_log::id.desc())
            .select((
                audit_log::action,
                audit_log::record_type,
                audit_log::record_id,
                audit_log::record_label,
                audit_log::changes,
                audit_log::ip,
                audit_log::employee_id,
            ))
            .load(&mut *self.conn())
            .unwrap()
    }

    pub fn employee_flags(
        &self,
        id: i64,
    ) -> (
        bool,
        Option<chrono::NaiveDateTime>,
        Option<chrono::NaiveDateTime>,
        bool,
    ) {
        employees::table
            .find(id)
            .select((
                employees::is_logged_in,
                employees::last_login_time,
                employees::last_logout_time,
                employees::is_active,
            ))
            .first(&mut *self.conn())
            .unwrap()
    }

    async fn send(&self, req: Request) -> Resp {
        (self.call)(req).await
    }
}

async fn read<B: MessageBody + 'static>(res: Result<ServiceResponse<B>, actix_web::Error>) -> Resp {
    let res = match res {
        Ok(r) => r.map_into_boxed_body(),
        Err(e) => panic!("service error escaped the middleware: {e}"),
    };
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let set_cookies = res
        .response()
        .cookies()
        .map(|c| {
            let removed = c.max_age().is_some_and(|a| a.is_zero()) || c.value().is_empty();
            (c.name().to_string(), c.value().to_string(), removed)
        })
        .collect();
    let bytes = test::read_body(res).await.to_vec();
    let body = String::from_utf8_lossy(&bytes).to_string();
    Resp {
        status,
        headers,
        bytes,
        body,
        set_cookies,
    }
}

/// A browser: keeps cookies and the page's CSRF token.
pub struct Client {
    pub app: TestApp,
    jar: RefCell<HashMap<String, String>>,
    csrf: RefCell<String>,
    peer: SocketAddr,
}

impl Client {
    fn prepare(&self, mut req: test::TestRequest) -> test::TestRequest {
        req = req.peer_addr(self.peer);
        for (k, v) in self.jar.borrow().iter() {
            req = req.cookie(actix_web::cookie::Cookie::new(k.clone(), v.clone()));
        }
        req
    }

    async fn send(&self, req: test::TestRequest) -> Resp {
        let resp = self.app.send(self.prepare(req).to_request()).await;
        for (name, value, removed) in &resp.set_cookies {
            if *removed {
                self.jar.borrow_mut().remove(name);
            } else {
                self.jar.borrow_mut().insert(name.clone(), value.clone());
            }
        }
        if let Some(t) = meta_csrf(&resp.body) {
            *self.csrf.borrow_mut() = t;
        }
        resp
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar.borrow().get(name).cloned()
    }

    /// Plants a cookie value, as a browser (or an attacker) could.
    pub fn set_cookie(&self, name: &str, value: &str) {
        self.jar
            .borrow_mut()
            .insert(name.to_string(), value.to_string());
    }

    /// A request with any method (HEAD, PUT, made-up ones) and no body.
    pub async fn send_method(&self, method: &str, path: &str) -> Resp {
        let m = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
        self.send(test::TestRequest::default().method(m).uri(path))
            .await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(test::TestRequest::get().uri(path)).await
    }

    /// A GET whose body is not read: for live streams (server-sent events).
    pub async fn open(&self, path: &str) -> ServiceResponse<actix_web::body::BoxBody> {
        let req = self
            .prepare(test::TestRequest::get().uri(path))
            .to_request();
        (self.app.raw)(req).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let mut req = test::TestRequest::get().uri(path);
        for (k, v) in headers {
            req = req.insert_header((k.to_string(), v.to_string()));
        }
        self.send(req).await
    }

    pub async fn token(&self) -> String {
        if self.csrf.borrow().is_empty() {
            self.get("/login").await;
        }
        self.csrf.borrow().clone()
    }

    /// Posts a form with the page's CSRF token, as a browser would.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let token = self.token().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, &[]).await
    }

    /// Posts exactly these fields and headers (no token added).
    pub async fn post_raw(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Resp {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut req = test::TestRequest::post()
            .uri(path)
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(body);
        for (k, v) in headers {
            req = req.insert_header((k.to_string(), v.to_string()));
        }
        self.send(req).await
    }

    pub async fn post_body(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = test::TestRequest::post()
            .uri(path)
            .insert_header(("content-type", content_type.to_string()))
            .set_payload(body);
        for (k, v) in headers {
            req = req.insert_header((k.to_string(), v.to_string()));
        }
        self.send(req).await
    }

    /// Any method, these headers, an optional body: for the JSON API.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Resp {
        let m = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = test::TestRequest::default().method(m).uri(path);
        for (k, v) in headers {
            req = req.insert_header((k.to_string(), v.to_string()));
        }
        if let Some(b) = body {
            req = req.set_payload(b);
        }
        self.send(req).await
    }

    /// Signs in and, like a browser, follows the redirect (which brings the new CSRF token).
    pub async fn login(&self, username: &str, password: &str) -> Resp {
        let r = self
            .post("/login", &[("username", username), ("password", password)])
            .await;
        if r.status == 303 {
            self.get(r.location()).await;
        }
        r
    }

    /// Posts JSON with the CSRF token in the header, as the POS terminal does.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Resp {
        let token = self.token().await;
        self.post_body(
            path,
            "application/json",
            serde_json::to_vec(body).unwrap(),
            &[("x-csrf-token", &token), ("accept", "application/json")],
        )
        .await
    }

    /// A multipart upload of one file field; the CSRF token goes in the query string.
    pub async fn upload(&self, path: &str, field: &str, filename: &str, bytes: &[u8]) -> Resp {
        self.upload_with(path, &[], field, filename, bytes).await
    }

    /// A multipart form of text fields and one file field.
    pub async fn upload_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        field: &str,
        filename: &str,
        bytes: &[u8],
    ) -> Resp {
        let token = self.token().await;
        let boundary = "----tillpointtestboundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.post_body(
            &format!("{path}?csrf_token={token}"),
            &format!("multipart/form-data; boundary={boundary}"),
            body,
            &[],
        )
        .await
    }
}

fn meta_csrf(body: &str) -> Option<String> {
    let marker = "<meta name=\"csrf-token\" content=\"";
    let start = body.find(marker)? + marker.len();
    let end = body[start..].find('"')? + start;
    let t = &body[start..end];
    (!t.is_empty()).then(|| t.to_string())
}

pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A small valid PNG.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::DynamicImage::new_rgb8(w, h);
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A tiny PNG whose header (IHDR, with a correct CRC) claims `w`×`h` pixels: a decompression
/// bomb in miniature.
pub fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut out = png(1, 1);
    // 8-byte signature, length, "IHDR" at 12..16, width 16..20, height 20..24, CRC at 29..33.
    out[16..20].copy_from_slice(&w.to_be_bytes());
    out[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&out[12..29]);
    out[29..33].copy_from_slice(&crc.to_be_bytes());
    out
}

pub fn is_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL")
        .map(|u| !u.is_empty())
        .unwrap_or(false)
}

/// Inserts a product straight into the catalogue (tests of stock and sales start from here).
pub fn insert_product(
    conn: &mut AnyConnection,
    name: &str,
    barcode: &str,
    price_minor: i64,
    serial_tracked: bool,
) -> i64 {
    use tillpoint::platform::schema::{product_categories, products};
    let now = chrono::Utc::now().naive_utc();
    let category: i64 = product_categories::table
        .order(product_categories::id.asc())
        .select(product_categories::id)
        .first(conn)
        .unwrap();
    diesel::insert_into(products::table)
        .values((
            products::name.eq(name),
            products::name_lc.eq(name.to_lowercase()),
            products::barcode.eq(barcode),
            products::category_id.eq(category),
            products::price_minor.eq(price_minor),
            products::cost_minor.eq(price_minor * 8 / 10),
            products::min_stock.eq(3i64),
            products::serial_tracked.eq(serial_tracked),
            products::description.eq(""),
            products::is_active.eq(true),
            products::created_at.eq(now),
            products::updated_at.eq(now),
        ))
        .returning(products::id)
        .get_result(conn)
        .unwrap()
}

pub fn stock_of(conn: &mut AnyConnection, branch: i64, product: i64) -> i64 {
    tillpoint::retail::stock::model::quantity(conn, branch, product).unwrap()
}

/// The next chunk of a live stream (server-sent events), waiting at most `secs` seconds.
pub async fn next_chunk_within(body: &mut actix_web::body::BoxBody, secs: u64) -> String {
    let chunk = actix_web::rt::time::timeout(
        std::time::Duration::from_secs(secs),
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut *body).poll_next(cx)),
    )
    .await
    .expect("an event in time")
    .expect("the stream is open")
    .unwrap();
    String::from_utf8_lossy(&chunk).to_string()
}

/// The gadget shop's two test products: a USB-C cable (299.00) and a serial-tracked iPhone 15
/// (54,990.00). Answers (cable, phone).
pub const TEST_CABLE: &str = "4806512345671";

/// A cash sale of `quantity` test cables through the till's JSON checkout; its order id.
pub async fn sell_cables(c: &Client, key: &str, quantity: i64) -> i64 {
    let r = c
        .post_json(
            "/pos/checkout/cash",
            &serde_json::json!({"idempotency_key": key, "lines": [{"barcode": TEST_CABLE, "quantity": quantity}], "cash_received": "5000", "customer": null}),
        )
        .await;
    r.expect(201);
    r.json()["order_id"].as_i64().unwrap()
}
pub const TEST_PHONE: &str = "4806512345695";
pub fn cable_and_phone(app: &TestApp) -> (i64, i64) {
    let mut c = app.conn();
    (
        insert_product(&mut c, "USB-C Cable", TEST_CABLE, 29_900, false),
        insert_product(&mut c, "iPhone 15", TEST_PHONE, 5_499_000, true),
    )
}

/// A minimal Excel workbook (one sheet, inline strings; cells that read as plain numbers are
/// stored as numbers, the way Excel keeps a typed barcode or price).
pub fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{}", (b'A' + c as u8) as char, r + 1);
            let numeric = !cell.is_empty()
                && !cell.starts_with('0')
                && cell.chars().all(|ch| ch.is_ascii_digit() || ch == '.')
                && cell.parse::<f64>().is_ok();
            if numeric {
                sheet.push_str(&format!(r#"<c r="{at}"><v>{cell}</v></c>"#));
            } else if !cell.is_empty() {
                let text = cell.replace('&', "&amp;").replace('<', "&lt;");
                sheet.push_str(&format!(
                    r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#
                ));
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    workbook(sheet.as_bytes())
}

/// A workbook whose one sheet is `sheet_xml`, compressed.
pub fn workbook(sheet_xml: &[u8]) -> Vec<u8> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    let rels = "http://schemas.openxmlformats.org/package/2006/relationships";
    let doc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let parts: [(&str, String); 4] = [
        (
            "[Content_Types].xml",
            String::from(
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
            ),
        ),
        (
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{rels}"><Relationship Id="rId1" Type="{doc}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{doc}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{rels}"><Relationship Id="rId1" Type="{doc}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
        ),
    ];
    for (name, body) in parts {
        z.start_file(name, opts).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    z.write_all(sheet_xml).unwrap();
    z.finish().unwrap().into_inner()
}

/// A real SMTP server on loopback (plain SMTP, no TLS), keeping what it receives: what the
/// mail worker talks to in the tests. Drop it to stop listening.
pub struct SmtpSink {
    pub port: u16,
    pub received: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl SmtpSink {
    /// Listens on `port` (0: any free port).
    pub fn start(port: u16) -> SmtpSink {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (got, halt) = (received.clone(), stop.clone());
        std::thread::spawn(move || {
            while !halt.load(std::sync::atomic::Ordering::Relaxed) {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                let mut out = stream.try_clone().unwrap();
                let mut lines = BufReader::new(stream);
                let _ = out.write_all(b"220 sink ESMTP\r\n");
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                        "DATA" => {
                            let _ = out.write_all(b"354 go ahead\r\n");
                            let mut body = String::new();
                            loop {
                                line.clear();
                                if lines.read_line(&mut line).unwrap_or(0) == 0 || line == ".\r\n" {
                                    break;
                                }
                                body.push_str(&line);
                            }
                            got.lock().unwrap().push(body);
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ = out.write_all(b"221 bye\r\n");
                            break;
                        }
                        _ => b"502 not implemented\r\n",
                    };
                    let _ = out.write_all(reply);
                }
            }
        });
        SmtpSink {
            port,
            received,
            stop,
        }
    }

    /// A port nobody listens on (SMTP "down").
    pub fn free_port() -> u16 {
        std::net::TcpListener::bind(("127.0.0.1", 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    pub fn messages(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}
