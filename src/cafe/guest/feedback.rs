//! Feedback on a closed visit: once per sale, only from a guest who ordered in it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::db::{is_unique_violation, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::forms::Pairs;
use crate::platform::schema::cafe_feedback;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub overall: i64,
    pub food: Option<i64>,
    pub service: Option<i64>,
    pub would_recommend: Option<bool>,
    pub comment: String,
}

fn stars(raw: &str, what: &str, required: bool) -> Result<Option<i64>, AppError> {
    match raw.trim() {
        "" if !required => Ok(None),
        "" => Err(AppError::Unprocessable(format!(
            "Please give {what} a rating from 1 to 5 stars."
        ))),
        s => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=5).contains(n))
            .map(Some)
            .ok_or_else(|| {
                AppError::Unprocessable(format!("{what} must be rated from 1 to 5 stars."))
            }),
    }
}

pub fn parse(p: &Pairs) -> Result<Feedback, AppError> {
    let comment = crate::platform::forms::visible(p.get("comment")).unwrap_or_default();
    if comment.chars().count() > 1000 {
        return Err(AppError::Unprocessable(
            "The comment can be at most 1000 characters.".into(),
        ));
    }
    Ok(Feedback {
        overall: stars(p.get("overall"), "Your visit overall", true)?.unwrap_or(1),
        food: stars(p.get("food"), "The food", false)?,
        service: stars(p.get("service"), "The service", false)?,
        would_recommend: match p.get("recommend") {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                return Err(AppError::Unprocessable(
                    "Answer yes or no to recommending us.".into(),
                ))
            }
        },
        comment,
    })
}

pub fn save(
    conn: &mut AnyConnection,
    actor: &Actor,
    sale_id: i64,
    f: &Feedback,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let id: i64 = diesel::insert_into(cafe_feedback::table)
        .values((
            cafe_feedback::sale_id.eq(sale_id),
            cafe_feedback::overall_rating.eq(f.overall),
            cafe_feedback::food_rating.eq(f.food),
            cafe_feedback::service_rating.eq(f.service),
            cafe_feedback::would_recommend.eq(f.would_recommend),
            cafe_feedback::comment.eq(&f.comment),
            cafe_feedback::created_at.eq(now),
        ))
        .returning(cafe_feedback::id)
        .get_result(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict("Thank you — feedback for this visit was already given.".into())
            } else {
                e.into()
            }
        })?;
    let subject = Subject::of("cafe_feedback", id, format!("Feedback on sale {sale_id}"));
    let changes = Changes::new().created("overall", f.overall);
    audit::record(conn, actor, now, audit::CREATE, subject, &changes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: &[(&str, &str)]) -> Pairs {
        Pairs(
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn ratings_are_one_to_five() {
        let f = parse(&p(&[("overall", "5"), ("food", "4"), ("recommend", "yes")])).unwrap();
        assert_eq!(
            (f.overall, f.food, f.service, f.would_recommend),
            (5, Some(4), None, Some(true))
        );
        for bad in [
            &[("overall", "0")][..],
            &[("overall", "6")],
            &[],
            &[("overall", "5"), ("food", "x")],
            &[("overall", "3"), ("recommend", "maybe")],
        ] {
            assert!(parse(&p(bad)).is_err());
        }
    }
}
