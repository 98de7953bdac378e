//! The client against a scripted CometBFT JSON-RPC endpoint (no chain needed): the gas price
//! read from a fee market (Skip's x/feemarket, Osmosis' EIP-1559 base fee, `auto` finding
//! whichever the chain has), kept within the floor and the cap, and a dead endpoint failed
//! over to the next one.
use breakwater_chain::client::fees::{DecCoin, FeemarketGasPriceResponse, OsmosisBaseFeeResponse};
use breakwater_chain::client::Client;
use breakwater_chain::config::{ChainConfig, GasPriceSource};
use cosmrs::proto::prost::Message;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

type Answer = Arc<dyn Fn(&str) -> (u32, Vec<u8>) + Send + Sync>;

/// Serves `abci_query` with `answer(path) -> (code, value)`; returns the URL.
async fn mock(answer: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = vec![];
                let mut chunk = [0u8; 4096];
                // Headers, then Content-Length bytes of body.
                let body = loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        break buf[end + 4..end + 4 + len].to_vec();
                    }
                };
                let req: serde_json::Value = serde_json::from_slice(&body).unwrap();
                let path = req["params"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let (code, value) = answer(&path);
                use base64::Engine as _;
                let result = serde_json::json!({
                    "response": {
                        "code": code,
                        "log": if code == 0 { "" } else { "unknown query path" },
                        "info": "",
                        "index": "0",
                        "key": "",
                        "value": base64::engine::general_purpose::STANDARD.encode(value),
                        "proofOps": null,
                        "height": "7",
                        "codespace": if code == 0 { "" } else { "sdk" }
                    }
                });
                let text = serde_json::json!({"jsonrpc": "2.0", "id": req["id"], "result": result})
                    .to_string();
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                    text.len()
                );
                let _ = sock.write_all(reply.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    url
}

fn feemarket(amount: &str) -> Vec<u8> {
    FeemarketGasPriceResponse {
        price: Some(DecCoin {
            denom: "untrn".into(),
            amount: amount.into(),
        }),
    }
    .encode_to_vec()
}

fn client(rpc: Vec<String>, source: GasPriceSource) -> Client {
    Client::from_config(&ChainConfig {
        chain_id: "neutron-1".into(),
        rpc,
        prefix: "neutron".into(),
        fee_denom: "untrn".into(),
        gas_price: 0.005,
        gas_price_max: 0.05,
        gas_price_source: source,
        rpc_timeout_secs: 2,
        ..ChainConfig::default()
    })
    .unwrap()
}

#[tokio::test]
async fn the_gas_price_follows_the_fee_market_within_the_floor_and_the_cap() {
    let price = Arc::new(std::sync::Mutex::new("12500000000000000".to_string()));
    let p = price.clone();
    let url = mock(Arc::new(move |path| {
        assert_eq!(path, "/feemarket.feemarket.v1.Query/GasPrice");
        (0, feemarket(&p.lock().unwrap()))
    }))
    .await;
    let c = client(vec![url], GasPriceSource::Feemarket);
    assert_eq!(c.refresh_gas_price().await.unwrap(), 0.0125);
    assert_eq!(c.gas.fee(1_000_000), 12_500);
    // Below the configured floor: the floor.
    *price.lock().unwrap() = "1000000000000000".into();
    assert_eq!(c.refresh_gas_price().await.unwrap(), 0.005);
    // Above the cap: the cap.
    *price.lock().unwrap() = "900000000000000000".into();
    assert_eq!(c.refresh_gas_price().await.unwrap(), 0.05);
}

#[tokio::test]
async fn auto_finds_the_osmosis_base_fee_when_there_is_no_feemarket() {
    let url = mock(Arc::new(|path| match path {
        "/osmosis.txfees.v1beta1.Query/GetEipBaseFee" => (
            0,
            OsmosisBaseFeeResponse {
                base_fee: "7500000000000000".into(),
            }
            .encode_to_vec(),
        ),
        _ => (6, vec![]),
    }))
    .await;
    let c = client(vec![url], GasPriceSource::Auto);
    assert_eq!(c.refresh_gas_price().await.unwrap(), 0.0075);
    assert_eq!(*c.gas.source.lock().unwrap(), GasPriceSource::Osmosis);
    // A chain with neither stays on the fixed price.
    let none = mock(Arc::new(|_| (6, vec![]))).await;
    let c = client(vec![none], GasPriceSource::Auto);
    assert_eq!(c.refresh_gas_price().await.unwrap(), 0.005);
    assert_eq!(*c.gas.source.lock().unwrap(), GasPriceSource::Fixed);
}

#[tokio::test]
async fn a_dead_endpoint_fails_over_to_the_next() {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let live = mock(Arc::new(|_| (0, feemarket("20000000000000000")))).await;
    let c = client(vec![dead.clone(), live.clone()], GasPriceSource::Feemarket);
    assert_eq!(c.rpc().active_url(), dead);
    assert_eq!(c.refresh_gas_price().await.unwrap(), 0.02);
    assert_eq!(c.rpc().active_url(), live);
    assert_eq!(c.rpc().failovers(), 1);
    let health = c.rpc().health();
    assert!(
        !health[0].healthy
            && health[0]
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("refused"))
    );
    assert!(health[1].healthy && health[1].active);
    // An error the node answers with is not a reason to fail over.
    let answering = mock(Arc::new(|_| (6, vec![]))).await;
    let other = mock(Arc::new(|_| (0, feemarket("20000000000000000")))).await;
    let c = client(vec![answering.clone(), other], GasPriceSource::Feemarket);
    assert!(c.refresh_gas_price().await.is_err());
    assert_eq!(c.rpc().active_url(), answering);
}
