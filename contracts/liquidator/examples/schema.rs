use breakwater_types::liquidator::{ExecuteMsg, InstantiateMsg, QueryMsg};
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
