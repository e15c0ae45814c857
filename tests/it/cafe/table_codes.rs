//! Tables and their QR codes.

use super::*;

fn decode_qr(png: &[u8]) -> String {
    let img = image::load_from_memory(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        img.width() as usize,
        img.height() as usize,
        |x, y| img.get_pixel(x as u32, y as u32)[0],
    );
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().unwrap().1
}

#[actix_web::test]
async fn qr_codes_lead_to_the_guest_page_at_the_public_address() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let m = app.signed_in("manager").await;
    let settings = [
        ("name", "Test Cafe"),
        ("tax_rate", "5"),
        ("public_base_url", "http://192.168.1.20:8080/"),
        ("footer", "Thanks"),
        ("upi_id", "cafe@bank"),
    ];
    m.post(
        "/settings/cafe",
        &[
            ("name", "X"),
            ("tax_rate", "5"),
            ("public_base_url", "javascript:alert(1)"),
        ],
    )
    .await
    .expect(422);
    m.post(
        "/settings/cafe",
        &[
            ("name", "X"),
            ("tax_rate", "-5"),
            ("public_base_url", "http://a"),
        ],
    )
    .await
    .expect(422);
    for bad in [
        [
            ("name", "X"),
            ("tax_rate", "5"),
            ("public_base_url", "http://a"),
            ("upi_id", "no-at-sign"),
        ],
        [
            ("name", "X"),
            ("tax_rate", "5"),
            ("public_base_url", "http://a"),
            ("upi_id", "a@b&am=1"),
        ],
        [
            ("name", ""),
            ("tax_rate", "5"),
            ("public_base_url", "http://a"),
            ("upi_id", ""),
        ],
        [
            ("name", "X"),
            ("tax_rate", "51"),
            ("public_base_url", "http://a"),
            ("upi_id", ""),
        ],
    ] {
        m.post("/settings/cafe", &bad).await.expect(422);
    }
    let too_long = "G".repeat(31);
    m.post(
        "/settings/cafe",
        &[
            ("name", "X"),
            ("tax_rate", "5"),
            ("public_base_url", "http://a"),
            ("gst_number", &too_long),
        ],
    )
    .await
    .expect(422);
    m.post("/settings/cafe", &settings).await.expect(303);
    let (id, token) = cafe.tables[0].clone();
    let png = m
        .get_with(&format!("/tables/{id}/qr.png"), &[("host", "evil.example")])
        .await;
    png.expect(200);
    assert_eq!(png.header("content-type"), "image/png");
    assert_eq!(
        decode_qr(&png.bytes),
        format!("http://192.168.1.20:8080/t/{token}")
    );
    let etag = png.header("etag").to_string();
    m.get_with(&format!("/tables/{id}/qr.png"), &[("if-none-match", &etag)])
        .await
        .expect(304);
    let svg = m.get(&format!("/tables/{id}/qr.svg")).await;
    svg.expect(200);
    assert!(svg.body.starts_with("<svg"));
    m.get("/tables")
        .await
        .expect_text(&format!("http://192.168.1.20:8080/t/{token}"));
    let sheet = m
        .get(&format!(
            "/tables/qr-sheet?ids={id}&ids={}",
            cafe.tables[1].0
        ))
        .await;
    sheet.expect(200);
    assert_eq!(sheet.body.matches("class=\"qr-card\"").count(), 2);
    m.get("/tables/qr-sheet").await.expect(200);
    m.get("/tables/qr-sheet?ids=abc").await.expect(400);
    // A new token: the old printed code stops working, the new one works.
    m.post(&format!("/tables/{id}/token"), &[])
        .await
        .expect(303);
    let new_token: String = cafe_tables::table
        .find(id)
        .select(cafe_tables::token)
        .first(&mut *app.conn())
        .unwrap();
    assert_ne!(new_token, token);
    app.client().get(&format!("/t/{token}")).await.expect(404);
    app.client()
        .get(&format!("/t/{new_token}"))
        .await
        .expect(200);
    let png = m.get(&format!("/tables/{id}/qr.png")).await;
    assert_eq!(
        decode_qr(&png.bytes),
        format!("http://192.168.1.20:8080/t/{new_token}")
    );
    assert_ne!(png.header("etag"), etag);
    // Table rules: unique numbers per branch, valid values.
    m.post("/tables", &[("number", "1"), ("capacity", "2")])
        .await
        .expect(409)
        .expect_field_error("number", "already has a table 1");
    for (n, c) in [("0", "2"), ("x", "2"), ("5", "0"), ("5", "1000")] {
        m.post("/tables", &[("number", n), ("capacity", c)])
            .await
            .expect(422);
    }
    m.post(
        "/tables",
        &[("number", "9"), ("capacity", "6"), ("location", "Terrace")],
    )
    .await
    .expect(303);
    m.post(&format!("/tables/{id}/archive"), &[])
        .await
        .expect(303);
    app.client()
        .get(&format!("/t/{new_token}"))
        .await
        .expect(404);
    m.get(&format!("/tables/{id}/qr.png")).await.expect(409);
}
