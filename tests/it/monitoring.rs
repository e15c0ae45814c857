//! `/metrics` and the monitoring token (`/settings/monitoring`).

use crate::helpers::*;

/// The value of the first sample line that starts with `prefix`.
fn sample(body: &str, prefix: &str) -> Option<f64> {
    body.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[actix_web::test]
async fn a_manager_reads_requests_per_route_and_the_servers_gauges() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let agent = app.signed_in("agent").await;
    for _ in 0..3 {
        app.client().get("/healthz").await.expect(200);
    }
    agent.get("/pos/scan?barcode=0000000000000").await;
    app.client().get("/no/such/page").await.expect(404);
    let r = m.get("/metrics").await;
    r.expect(200);
    assert!(r
        .header("content-type")
        .starts_with("text/plain; version=0.0.4"));
    let body = &r.body;
    let healthz = sample(
        body,
        "tillpoint_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"2xx\"}",
    );
    assert_eq!(healthz, Some(3.0), "{body}");
    assert_eq!(
        sample(
            body,
            "tillpoint_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"}"
        ),
        Some(3.0)
    );
    // The histogram's last bucket holds every request.
    assert_eq!(
        sample(
            body,
            "tillpoint_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",le=\"+Inf\"}"
        ),
        Some(3.0)
    );
    assert!(
        body.contains("route=\"/pos/scan\""),
        "the till's scan is counted under its own route"
    );
    assert_eq!(
        sample(
            body,
            "tillpoint_http_requests_total{method=\"GET\",route=\"(no route)\",status=\"4xx\"}"
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(body, "tillpoint_db_pool_connections{state=\"max\"}").map(|n| n > 0.0),
        Some(true)
    );
    assert!(sample(body, "tillpoint_db_pool_waiting").is_some());
    assert!(sample(body, "tillpoint_live_stream_clients").is_some());
    assert!(sample(body, "tillpoint_process_resident_memory_bytes").is_some_and(|n| n > 0.0));
    assert!(body.contains("tillpoint_busy_refusals_total{work=\"passwords\"}"));
    if !is_postgres() {
        assert!(sample(body, "tillpoint_sqlite_wal_bytes").is_some());
        assert!(sample(body, "tillpoint_sqlite_committed_writes_total").is_some());
    }
    // Only the format's own lines: comments, and samples of a name, labels and a number.
    for line in body.lines().filter(|l| !l.starts_with('#')) {
        let (_, value) = line.rsplit_once(' ').expect(line);
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }
}

#[actix_web::test]
async fn metrics_are_for_managers_and_the_monitoring_token_only() {
    let app = TestApp::new().await;
    let anonymous = app.client();
    anonymous.get("/metrics").await.expect(401);
    app.signed_in("agent")
        .await
        .get("/metrics")
        .await
        .expect(403);
    // No token yet: a bearer is refused, whatever it says.
    anonymous
        .get_with("/metrics", &[("Authorization", "Bearer anything")])
        .await
        .expect(401);

    let m = app.signed_in("manager").await;
    m.get("/settings/monitoring")
        .await
        .expect(200)
        .expect_text("No token");
    let audits = app.audit_count();
    let r = m.post("/settings/monitoring/token", &[]).await;
    r.expect(200).expect_text("it is not shown again");
    let key = r
        .body
        .split("id=\"monitoring-token\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the new token is on the page")
        .to_string();
    assert_eq!(key.len(), 40);
    assert!(app.audit_count() > audits, "making a token is audited");
    let raw: String = {
        use diesel::prelude::*;
        use tillpoint::platform::schema::business_settings;
        business_settings::table
            .find("monitoring.token_sha256")
            .select(business_settings::value)
            .first(&mut *app.conn())
            .unwrap()
    };
    assert_ne!(raw, key, "only the token's hash is kept");

    let scraper = app.client();
    let bearer = format!("Bearer {key}");
    scraper
        .get_with("/metrics", &[("Authorization", &bearer)])
        .await
        .expect(200)
        .expect_text("tillpoint_http_requests_total");
    scraper
        .get_with("/metrics", &[("Authorization", "Bearer 0000")])
        .await
        .expect(401);
    // The token opens /metrics and nothing else.
    let r = scraper
        .get_with("/settings/monitoring", &[("Authorization", &bearer)])
        .await;
    assert_eq!(r.status, 303, "a token is no session");

    // A replaced token stops working; a withdrawn one too.
    m.get("/settings/monitoring")
        .await
        .expect(200)
        .expect_text("is in use");
    let second = m.post("/settings/monitoring/token", &[]).await;
    second.expect(200);
    scraper
        .get_with("/metrics", &[("Authorization", &bearer)])
        .await
        .expect(401);
    m.post("/settings/monitoring/revoke", &[]).await.expect(303);
    m.get("/settings/monitoring")
        .await
        .expect(200)
        .expect_text("No token");
    let key2 = second
        .body
        .split("id=\"monitoring-token\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_string();
    scraper
        .get_with("/metrics", &[("Authorization", &format!("Bearer {key2}"))])
        .await
        .expect(401);
}

#[actix_web::test]
async fn refusals_by_a_rate_limit_are_counted() {
    let app = TestApp::new().await;
    let c = app.client();
    for _ in 0..10 {
        c.login("agent", "wrong-password").await.expect(401);
    }
    c.login("agent", "wrong-password").await.expect(429);
    let body = app.signed_in("manager").await.get("/metrics").await.body;
    // The counter is the process's: other tests may have added to it, never taken away.
    assert!(
        sample(
            &body,
            "tillpoint_rate_limit_refusals_total{limit=\"login\"}"
        )
        .is_some_and(|n| n >= 1.0),
        "{body}"
    );
    assert!(
        sample(
            &body,
            "tillpoint_http_requests_total{method=\"POST\",route=\"/login\",status=\"429\"}"
        )
        .is_some_and(|n| n >= 1.0),
        "{body}"
    );
}
