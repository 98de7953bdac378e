//! Writes the oracle's JSON schema: `cargo run -p breakwater-oracle --example schema`.
use breakwater_types::oracle::{ExecuteMsg, InstantiateMsg, QueryMsg};
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
