//! Every API route × anonymous and every role: 401 without a token, 403 for a wrong role (with
//! the cafe system's words), anything else for an allowed one — never a 5xx. A route added to
//! `api::routes` is covered here without a new row.

use super::*;
use tillpoint::platform::auth::{Access, Role};

fn concrete(path: &str) -> String {
    path.replace("{id:\\d+}", "999999")
        .replace("{t:\\d+}", "999")
        .replace("{barcode}", "0000000000000")
        .replace("{action:(confirm|seat|cancel|complete|no_show)}", "confirm")
}

async fn call(api: &Api, method: &str, path: &str) -> Resp {
    let body = matches!(method, "POST" | "PUT" | "PATCH").then(|| json!({}));
    api.call(method, path, body).await
}

#[actix_web::test]
async fn every_api_route_answers_each_role_as_its_access_says() {
    let app = TestApp::new().await;
    setup(&app);
    let anonymous = Api::anonymous(&app);
    let mut callers = Vec::new();
    for (username, role) in STAFF {
        callers.push((role, Api::signed_in(&app, username).await));
    }
    let routes = tillpoint::api::routes();
    assert!(routes.len() >= 60, "{} routes", routes.len());
    for (method, path, access, ..) in routes {
        if path == "/api/auth/logout/" {
            continue; // revokes the token; the auth tests cover it
        }
        let (m, url) = (method.as_str(), concrete(path));
        let r = call(&anonymous, m, &url).await;
        assert!(r.status < 500, "anonymous {m} {path} → {}", r.status);
        if access == Access::Public {
            assert!(
                r.status != 401 && r.status != 403,
                "anonymous {m} {path} → {}",
                r.status
            );
        } else {
            assert_eq!(r.status, 401, "anonymous {m} {path}");
            assert_eq!(detail(&r), "Authentication credentials were not provided.");
        }
        for (role, api) in &callers {
            let r = call(api, m, &url).await;
            assert!(
                r.status < 500,
                "{role:?} {m} {path} → {}: {}",
                r.status,
                r.body
            );
            let page = path == "/api/docs/" || path == "/api/redoc/";
            if r.status != 204 && !page {
                assert!(
                    r.json().is_object() || r.json().is_array(),
                    "{role:?} {m} {path}: JSON"
                );
            }
            if access.allows(*role) {
                assert!(
                    r.status != 401 && r.status != 403,
                    "{role:?} {m} {path} → {}: {}",
                    r.status,
                    r.body
                );
            } else {
                assert_eq!(r.status, 403, "{role:?} {m} {path}");
                assert_eq!(
                    detail(&r),
                    "You do not have permission to perform this action."
                );
            }
        }
    }
    let _ = Role::Manager;
}
