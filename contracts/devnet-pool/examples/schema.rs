//! Writes the devnet pool's JSON schema: `cargo run -p breakwater-devnet-pool --example schema_devnet-pool`.
use breakwater_types::venue::{PoolExecuteMsg, PoolInstantiateMsg, PoolQueryMsg};
use cosmwasm_schema::write_api;

fn main() {
    write_api! {
        instantiate: PoolInstantiateMsg,
        execute: PoolExecuteMsg,
        query: PoolQueryMsg,
    }
}
