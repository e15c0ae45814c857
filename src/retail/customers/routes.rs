//! `/customers/export.csv`: every customer in the import's columns.

use actix_web::{web, HttpResponse};

use crate::platform::csv_export;
use crate::platform::error::AppError;
use crate::platform::spreadsheet::template_header;
use crate::platform::state::AppState;
use crate::retail::customers::import;

pub async fn export(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let header = template_header(import::COLUMNS);
    Ok(csv_export::stream(
        &state.db,
        &crate::platform::csv_export::dated("customers", state.clock.today()),
        &header,
        import::export_page,
    ))
}
