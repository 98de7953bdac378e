//! Writes the market's JSON schema: `cargo run -p breakwater-market --example schema_market`.
use breakwater_types::market::{ExecuteMsg, InstantiateMsg, QueryMsg};
use breakwater_types::MigrateMsg;
use cosmwasm_schema::write_api;

fn main() {
    write_api! {
        instantiate: InstantiateMsg,
        execute: ExecuteMsg,
        query: QueryMsg,
        migrate: MigrateMsg,
    }
}
