//! A cafe bill paid in parts (card + cash with change), and refunds of its lines: the money
//! back by the bill's own tenders, the discount and tax in proportion, never more than was
//! paid, even when two refunds race; the shift and the day's figures net of them.

use super::*;
use tillpoint::cafe::refunds::model::{self as cafe_refunds, CafeRefunder};
use tillpoint::cafe::refunds::rules::CafeRefundRequest;
use tillpoint::platform::clock::BusinessClock;
use tillpoint::platform::schema::{
    cafe_credit_note_tenders, cafe_credit_notes, cafe_daily_totals, cafe_payments,
};

/// Table 4 orders 2 lattes and fries (480.00 + 5 % tax = 504.00); the waiter has a shift
/// open and closes the bill as `fields`. The sale's id, or the answer when it is refused.
async fn billed(app: &TestApp, cafe: &Cafe) -> i64 {
    let g = guest(app, cafe, 4, "192.0.2.77:5000").await;
    order(&g, cafe, 4, &[("Latte", "2"), ("Fries", "1")])
        .await
        .expect(303);
    open_session(app, cafe.tables[3].0)
}

fn sale_of(app: &TestApp, session: i64) -> i64 {
    cafe_sales::table
        .filter(cafe_sales::session_id.eq(session))
        .select(cafe_sales::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn shift_flow(app: &TestApp, shift: i64) -> tillpoint::registers::shifts::rules::CashFlow {
    use tillpoint::registers::shifts::model;
    let mut c = app.conn();
    let s = model::find(&mut c, shift).unwrap();
    model::figures(&mut c, &s).unwrap().flow
}

#[actix_web::test]
async fn a_bill_paid_by_card_and_cash_is_refunded_line_by_line_to_its_tenders() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let shift = app.open_shift("waiter");
    let sid = billed(&app, &cafe).await;
    let waiter = app.signed_in("waiter").await;
    let close = format!("/floor/sessions/{sid}/close");
    // Bad splits are refused and close nothing.
    for (bad, why) in [
        (
            vec![
                ("payment_method", "cash"),
                ("part_method", "card"),
                ("part_amount", "600"),
            ],
            "only cash gives change",
        ),
        (
            vec![
                ("payment_method", "cash"),
                ("cash_received", "200"),
                ("part_method", "card"),
                ("part_amount", "250"),
            ],
            "less than",
        ),
        (
            vec![
                ("payment_method", "cash"),
                ("part_method", "card"),
                ("part_amount", "-5"),
            ],
            "negative",
        ),
        (
            vec![
                ("payment_method", "card"),
                ("part_method", "card"),
                ("part_amount", "5"),
            ],
            "leave the part empty",
        ),
        (
            vec![("payment_method", "card"), ("cash_received", "600")],
            "rest paid in cash",
        ),
        (
            vec![
                ("payment_method", "cash"),
                ("part_method", "upi"),
                ("part_amount", "10"),
                ("part_reference", "a\u{200b}b"),
            ],
            "printable",
        ),
    ] {
        waiter.post(&close, &bad).await.expect(422).expect_text(why);
    }
    assert_eq!(count!(&app, cafe_sales::table), 0);
    waiter
        .post(
            &close,
            &[
                ("payment_method", "cash"),
                ("cash_received", "300"),
                ("part_method", "card"),
                ("part_amount", "250"),
                ("part_reference", "SLIP-9"),
            ],
        )
        .await
        .expect(303);
    let sale = sale_of(&app, sid);
    type PaymentRow = (String, i64, Option<i64>, Option<i64>, String);
    let mut rows: Vec<PaymentRow> = cafe_payments::table
        .filter(cafe_payments::sale_id.eq(sale))
        .select((
            cafe_payments::method,
            cafe_payments::amount_minor,
            cafe_payments::cash_received_minor,
            cafe_payments::change_minor,
            cafe_payments::reference,
        ))
        .load(&mut *app.conn())
        .unwrap();
    rows.sort();
    assert_eq!(
        rows,
        vec![
            ("card".into(), 25_000, None, None, "SLIP-9".into()),
            (
                "cash".into(),
                25_400,
                Some(30_000),
                Some(4_600),
                String::new()
            ),
        ]
    );
    let flow = shift_flow(&app, shift);
    assert_eq!(
        flow.cafe_cash,
        Money(25_400),
        "only the cash part is in the drawer"
    );
    assert_eq!(flow.expected(), Money(25_400));

    // The closed bill is found by its number and shows both tenders.
    waiter
        .get("/cafe/bills")
        .await
        .expect(200)
        .expect_text(&format!("#{sale}"));
    waiter
        .get(&format!("/cafe/bills/{sale}"))
        .await
        .expect(200)
        .expect_text("Card 250.00")
        .expect_text("SLIP-9");

    // One latte back: 504.00 × 180/480 = 189.00 (tax 9.00), all of it to the card.
    let refund = format!("/cafe/bills/{sale}/refund");
    let first = [
        ("qty_1", "1"),
        ("reason", "Spilled coffee"),
        ("key", "cafe-ref-1"),
    ];
    let r = waiter.post(&refund, &first).await;
    r.expect(303);
    let note_url = r.location().to_string();
    let again = waiter.post(&refund, &first).await;
    again.expect(303);
    assert_eq!(
        again.location(),
        note_url,
        "the same key makes no second credit note"
    );
    assert_eq!(count!(&app, cafe_credit_notes::table), 1);
    let (number, total, tax): (String, i64, i64) = cafe_credit_notes::table
        .select((
            cafe_credit_notes::cn_number,
            cafe_credit_notes::total_minor,
            cafe_credit_notes::tax_minor,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        (number.as_str(), total, tax),
        ("MNL-CN-000001", 18_900, 900)
    );
    waiter
        .get(&note_url)
        .await
        .expect(200)
        .expect_text("MNL-CN-000001")
        .expect_text("189.00")
        .expect_text("SLIP-9");
    // More lattes than are left: refused, nothing written.
    waiter
        .post(
            &refund,
            &[
                ("qty_1", "2"),
                ("reason", "Spilled coffee"),
                ("key", "cafe-ref-2"),
            ],
        )
        .await
        .expect(409)
        .expect_text("Only 1 × Latte");
    // The rest: 504.00 − 189.00 = 315.00; the card's last 61.00, then 254.00 cash from the
    // waiter's drawer, which held exactly that.
    waiter
        .post(
            &refund,
            &[
                ("qty_1", "1"),
                ("qty_2", "1"),
                ("reason", "Guest left unhappy"),
                ("key", "cafe-ref-3"),
            ],
        )
        .await
        .expect(303);
    let mut back: Vec<(String, i64)> = cafe_credit_note_tenders::table
        .select((
            cafe_credit_note_tenders::method,
            cafe_credit_note_tenders::amount_minor,
        ))
        .load(&mut *app.conn())
        .unwrap();
    back.sort();
    assert_eq!(
        back,
        vec![
            ("card".into(), 6_100),
            ("card".into(), 18_900),
            ("cash".into(), 25_400)
        ]
    );
    let refunded: i64 = cafe_sales::table
        .find(sale)
        .select(cafe_sales::refunded_minor)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(refunded, 50_400, "everything paid, and no more, went back");
    let flow = shift_flow(&app, shift);
    assert_eq!(flow.cash_refunds, Money(25_400));
    assert_eq!(flow.expected(), Money::ZERO);
    waiter
        .get(&format!("/cafe/bills/{sale}"))
        .await
        .expect(200)
        .expect_text("refunded in full");
    waiter
        .post(
            &refund,
            &[
                ("qty_2", "1"),
                ("reason", "Once more"),
                ("key", "cafe-ref-4"),
            ],
        )
        .await
        .expect(409);
    // The day's cafe figures: the bill still counts as an order, its money does not.
    let (orders, total): (i64, i64) = cafe_daily_totals::table
        .select((cafe_daily_totals::orders, cafe_daily_totals::total_minor))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!((orders, total), (1, 0));
}

#[actix_web::test]
async fn bad_refunds_are_refused_and_write_nothing() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    app.open_shift("waiter");
    let sid = billed(&app, &cafe).await;
    let waiter = app.signed_in("waiter").await;
    waiter
        .post(
            &format!("/floor/sessions/{sid}/close"),
            &[("payment_method", "upi")],
        )
        .await
        .expect(303);
    let sale = sale_of(&app, sid);
    let refund = format!("/cafe/bills/{sale}/refund");
    let audit = app.audit_count();
    for (bad, status) in [
        (vec![("reason", "Cold food"), ("key", "k-1")], 422),
        (
            vec![("qty_1", "-1"), ("reason", "Cold food"), ("key", "k-2")],
            422,
        ),
        (
            vec![("qty_1", "x"), ("reason", "Cold food"), ("key", "k-3")],
            422,
        ),
        (
            vec![("qty_99", "1"), ("reason", "Cold food"), ("key", "k-4")],
            422,
        ),
        (
            vec![("qty_abc", "1"), ("reason", "Cold food"), ("key", "k-5")],
            422,
        ),
        (vec![("qty_1", "1"), ("reason", "no"), ("key", "k-6")], 422),
        (vec![("qty_1", "1"), ("reason", "Cold food")], 422),
        (
            vec![("qty_1", "1"), ("reason", "Cold\u{0}food"), ("key", "k-7")],
            422,
        ),
        (
            vec![("qty_1", "3"), ("reason", "Cold food"), ("key", "k-8")],
            409,
        ),
    ] {
        waiter.post(&refund, &bad).await.expect(status);
    }
    assert_eq!(count!(&app, cafe_credit_notes::table), 0);
    assert_eq!(app.audit_count(), audit);
    waiter
        .post(
            "/cafe/bills/999999/refund",
            &[("qty_1", "1"), ("reason", "Cold food"), ("key", "k-9")],
        )
        .await
        .expect(404);
    waiter.get("/cafe/bills/999999").await.expect(404);
    waiter.get("/cafe/credit-notes/999999").await.expect(404);
    waiter.get("/cafe/bills?day=yesterday").await.expect(400);
    // Kitchen staff and sales agents do not refund cafe bills.
    for who in ["kitchen", "agent"] {
        let c = app.signed_in(who).await;
        c.get(&format!("/cafe/bills/{sale}")).await.expect(403);
        c.post(
            &refund,
            &[("qty_1", "1"), ("reason", "Cold food"), ("key", "k-10")],
        )
        .await
        .expect(403);
    }
    // A refund of the UPI bill goes back by UPI: no cash, no drawer needed.
    waiter
        .post(
            &refund,
            &[("qty_2", "1"), ("reason", "Cold fries"), ("key", "k-11")],
        )
        .await
        .expect(303);
    let back: Vec<(String, i64)> = cafe_credit_note_tenders::table
        .select((
            cafe_credit_note_tenders::method,
            cafe_credit_note_tenders::amount_minor,
        ))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(back, vec![("upi".into(), 12_600)]);
}

#[::core::prelude::v1::test]
fn two_refunds_of_the_same_line_at_once_never_give_back_more_than_was_paid() {
    let rt = actix_web::rt::System::new();
    let (app, sale) = rt.block_on(async {
        let app = TestApp::new().await;
        let cafe = setup(&app);
        let sid = billed(&app, &cafe).await;
        let waiter = app.signed_in("manager").await;
        app.open_shift("manager");
        waiter
            .post(
                &format!("/floor/sessions/{sid}/close"),
                &[("payment_method", "card")],
            )
            .await
            .expect(303);
        let sale = sale_of(&app, sid);
        (app, sale)
    });
    let me = app.id("manager");
    let tz = app.state.clone_config().tz;
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|tag| {
            let (db, barrier) = (app.db.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut conn = db.pool().get().unwrap();
                barrier.wait();
                let actor = Actor {
                    employee_id: Some(me),
                    ip: None,
                };
                let req = CafeRefundRequest {
                    lines: vec![(0, 2)],
                    reason: "Race".into(),
                    key: format!("cafe-race-{tag}"),
                };
                write_tx(&mut conn, |c| {
                    cafe_refunds::refund(
                        c,
                        &CafeRefunder {
                            actor: &actor,
                            is_manager: true,
                            clock: BusinessClock::new(tz),
                            now: chrono::Utc::now().naive_utc(),
                        },
                        sale,
                        &req,
                    )
                })
                .map_err(|e| e.to_string())
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "{results:?}");
    let (refunded, value): (i64, i64) = cafe_sales::table
        .find(sale)
        .select((cafe_sales::refunded_minor, cafe_sales::refunded_value_minor))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!((refunded, value), (37_800, 36_000));
    assert_eq!(count!(&app, cafe_credit_notes::table), 1);
}
