//! `--demo`: branches, one employee of every role, the gadget catalogue with stock and past
//! sales. For trying the product only; loading twice adds nothing.

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::auth::password;
use crate::platform::clock::BusinessClock;
use crate::platform::db::{write_tx, AnyConnection};
use crate::platform::error::AppError;

pub fn load(conn: &mut AnyConnection, config: &crate::Config) -> Result<usize, AppError> {
    let hash =
        password::hash(&config.demo_password, config.bcrypt_cost).map_err(AppError::Internal)?;
    write_tx(conn, |c| {
        let mut added = crate::staff::bootstrap::load_demo_staff(c, &hash)?;
        added += crate::retail::demo::load(c)?;
        added += crate::cafe::demo::load(c, config)?;
        if added > 0 {
            audit::record(
                c,
                &Actor::system(),
                BusinessClock::now_utc(),
                audit::CREATE,
                Subject {
                    record_type: "demo_data",
                    record_id: None,
                    label: "Demo data".into(),
                },
                &Changes::new().note("records_added", added.to_string()),
            )?;
        }
        Ok(added)
    })
}
