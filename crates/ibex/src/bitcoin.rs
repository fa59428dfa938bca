//! Bitcoin (docs/api/operations.md §8): chain info, fees, UTXOs, send planning, broadcast. The wallet
//! signs PSBTs itself; `BITCOIN_SEND` goes through [`Session::prepare`].

use crate::client::Request;
use crate::models::bitcoin::{
    BitcoinFees, BitcoinInfo, BitcoinSend, Broadcast, BroadcastRequest, Network, SendPlan, Utxos,
};
use crate::{Error, Session};

impl Session {
    /// `GET /v1.2/safes/bitcoin/info`.
    pub async fn bitcoin_info(&self, network: Option<Network>) -> Result<BitcoinInfo, Error> {
        self.call(with_network(
            Request::get("/v1.2/safes/bitcoin/info"),
            network,
        ))
        .await
    }

    /// `GET /v1.2/safes/bitcoin/fees` (sat/vB).
    pub async fn bitcoin_fees(&self, network: Option<Network>) -> Result<BitcoinFees, Error> {
        self.call(with_network(
            Request::get("/v1.2/safes/bitcoin/fees"),
            network,
        ))
        .await
    }

    /// `GET /v1.2/safes/bitcoin/utxos`.
    pub async fn bitcoin_utxos(
        &self,
        address: &str,
        network: Option<Network>,
    ) -> Result<Utxos, Error> {
        let req = Request::get("/v1.2/safes/bitcoin/utxos").query("address", address);
        self.call(with_network(req, network)).await
    }

    /// `POST /v1.2/safes/bitcoin/send/prepare`: inputs, fee and change for a send.
    pub async fn bitcoin_send_prepare(&self, body: &BitcoinSend) -> Result<SendPlan, Error> {
        self.call(Request::post("/v1.2/safes/bitcoin/send/prepare").json(body)?)
            .await
    }

    /// `POST /v1.2/safes/bitcoin/tx/broadcast`.
    pub async fn bitcoin_broadcast(&self, body: &BroadcastRequest) -> Result<Broadcast, Error> {
        self.call(Request::post("/v1.2/safes/bitcoin/tx/broadcast").json(body)?)
            .await
    }
}

fn with_network(req: Request, network: Option<Network>) -> Request {
    req.query_opt("network", network.map(Network::as_str))
}
