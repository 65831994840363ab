//! A Modbus TCP server that serves tag values — the plant simulator's
//! Modbus face (`steamflow simulate --serve modbus`).
//!
//! It takes the same [`TagConfig`]s a client reads with: each tag lies at
//! its `unit_id` (default 1), `register_type`, wire `address`, in its
//! `data_type` and `byte_order`, and holds `(value − offset) / scale`
//! (integers rounded, saturating at their range; coils 1 when that is not
//! 0). Values arrive as batches of readings; a reading matches a tag by tag
//! name and, when the tag names a plant, by plant. Until its first reading
//! a tag reads 0. A reading of bad quality leaves the registers as they
//! were (Modbus has no quality: a PLC holds its last value), and so does a
//! NaN for an integer register; floats carry NaN and ∞ as they are.
//!
//! Like a PLC it answers reads of the four tables (functions 01–04);
//! an address that holds no tag, in any part of a request, is exception 02
//! (illegal data address), a quantity outside the protocol's limits is 03,
//! a unit id that serves no tag is 0B (gateway target device failed to
//! respond), and every other function (writes included) is 01.

use std::collections::{BTreeMap, HashMap};
use std::future::{Ready, ready};
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use steamflow_operators::reading::{Quality, Reading};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_modbus::server::tcp::{Server, accept_tcp_connection};
use tokio_modbus::{ExceptionCode, Request, Response, SlaveRequest};
use tokio_util::sync::CancellationToken;

use crate::Error;
use crate::codec;
use crate::config::{ByteOrder, DataType, DeviceConfig, ModbusConfig, RegisterType, TagConfig};

/// The unit id of served tags that name none (as [`DeviceConfig`]'s default).
pub const DEFAULT_UNIT_ID: u8 = 1;

/// Serves `tags` on `bind` until `shutdown`, updating them from the
/// batches of readings on `rx` (when `rx` closes the last values stay).
pub async fn serve(
    bind: SocketAddr,
    tags: &[TagConfig],
    rx: mpsc::Receiver<Vec<Reading>>,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    ModbusServer::bind(bind, tags)
        .await?
        .run(rx, shutdown)
        .await
}

/// A bound server, before it runs: its address and its counters are known.
#[derive(Debug)]
pub struct ModbusServer {
    listener: TcpListener,
    image: Arc<Image>,
}

/// Counters of a server, shared with its handle.
#[derive(Debug, Default)]
pub struct ServerStats {
    /// Requests answered (values or exceptions).
    pub requests: AtomicU64,
    /// Of which exceptions.
    pub exceptions: AtomicU64,
    /// Register or bit values served.
    pub values_served: AtomicU64,
    /// Readings that updated at least one tag.
    pub updates: AtomicU64,
    /// Readings kept out: bad quality, or NaN for an integer.
    pub held: AtomicU64,
}

impl ModbusServer {
    /// Binds `bind` (port 0: any free port) and lays out `tags`.
    pub async fn bind(bind: SocketAddr, tags: &[TagConfig]) -> Result<ModbusServer, Error> {
        let listener = TcpListener::bind(bind)
            .await
            .map_err(|source| Error::Bind { addr: bind, source })?;
        Ok(ModbusServer {
            listener,
            image: Arc::new(Image::new(tags)),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Its counters (they keep counting while it runs).
    pub fn stats(&self) -> Arc<ServerStats> {
        Arc::clone(&self.image.stats)
    }

    /// A handle that sets values directly, without a channel.
    pub fn values(&self) -> ServerValues {
        ServerValues(Arc::clone(&self.image))
    }

    /// Serves until `shutdown`, applying the readings of `rx`.
    pub async fn run(
        self,
        mut rx: mpsc::Receiver<Vec<Reading>>,
        shutdown: CancellationToken,
    ) -> Result<(), Error> {
        let image = Arc::clone(&self.image);
        let updates = async move {
            while let Some(batch) = rx.recv().await {
                for reading in &batch {
                    image.apply(reading);
                }
            }
            // The feed ended: keep serving the last values.
            std::future::pending::<()>().await;
        };
        let handler = Handler(Arc::clone(&self.image));
        let new_service = move |_peer: SocketAddr| Ok(Some(handler.clone()));
        let on_connected = |stream: TcpStream, peer: SocketAddr| {
            let new_service = new_service.clone();
            async move {
                let _ = stream.set_nodelay(true);
                accept_tcp_connection(stream, peer, new_service)
            }
        };
        let addr = self.local_addr().ok();
        let server = Server::new(self.listener);
        tokio::select! {
            () = shutdown.cancelled() => Ok(()),
            () = updates => Ok(()),
            served = server.serve(&on_connected, |_error| {}) => served.map_err(|source| Error::Serve {
                addr,
                source,
            }),
        }
    }
}

/// Sets served values directly (tests, or a caller with its own loop).
#[derive(Clone, Debug)]
pub struct ServerValues(Arc<Image>);

impl ServerValues {
    /// Applies one reading; whether it matched a tag.
    pub fn apply(&self, reading: &Reading) -> bool {
        self.0.apply(reading)
    }
}

/// Where a served tag lies and how it is encoded.
#[derive(Clone, Debug)]
struct ServedSlot {
    plant: Option<String>,
    unit_id: u8,
    kind: RegisterType,
    start: u16,
    data_type: DataType,
    byte_order: ByteOrder,
    scale: f64,
    offset: f64,
}

/// The register image: for each (unit id, table), address → word (bits
/// are words 0 or 1).
#[derive(Debug)]
struct Image {
    tables: RwLock<HashMap<(u8, RegisterType), BTreeMap<u16, u16>>>,
    by_tag: HashMap<String, Vec<ServedSlot>>,
    stats: Arc<ServerStats>,
}

impl Image {
    fn new(tags: &[TagConfig]) -> Image {
        let mut tables: HashMap<(u8, RegisterType), BTreeMap<u16, u16>> = HashMap::new();
        let mut by_tag: HashMap<String, Vec<ServedSlot>> = HashMap::new();
        for tag in tags {
            let Some(data_type) = tag.effective_data_type() else {
                continue;
            };
            let slot = ServedSlot {
                plant: tag.plant.clone(),
                unit_id: tag.unit_id.unwrap_or(DEFAULT_UNIT_ID),
                kind: tag.register_type,
                start: tag.address,
                data_type,
                byte_order: tag.byte_order,
                scale: tag.scale,
                offset: tag.offset,
            };
            let table = tables.entry((slot.unit_id, slot.kind)).or_default();
            for i in 0..data_type.width() {
                if let Some(address) = slot.start.checked_add(i) {
                    table.entry(address).or_insert(0);
                }
            }
            by_tag.entry(tag.tag.clone()).or_default().push(slot);
        }
        Image {
            tables: RwLock::new(tables),
            by_tag,
            stats: Arc::default(),
        }
    }

    /// Writes a reading into the registers of the tags it matches.
    fn apply(&self, reading: &Reading) -> bool {
        let Some(slots) = self.by_tag.get(reading.tag.as_str()) else {
            return false;
        };
        let matching = slots.iter().filter(|slot| {
            slot.plant
                .as_deref()
                .is_none_or(|plant| plant == reading.plant.as_str())
        });
        let mut matched = false;
        let mut tables = self.tables.write().unwrap_or_else(PoisonError::into_inner);
        for slot in matching {
            matched = true;
            let words = if reading.quality == Quality::Bad {
                None
            } else {
                encode(slot, reading.value)
            };
            let Some(words) = words else {
                self.stats.held.fetch_add(1, Ordering::Relaxed);
                continue;
            };
            let Some(table) = tables.get_mut(&(slot.unit_id, slot.kind)) else {
                continue;
            };
            for (address, word) in (slot.start..=u16::MAX).zip(words) {
                table.insert(address, word);
            }
        }
        if matched {
            self.stats.updates.fetch_add(1, Ordering::Relaxed);
        }
        matched
    }

    /// The answer to one request.
    fn answer(&self, unit_id: u8, request: &Request<'_>) -> Result<Response, ExceptionCode> {
        let (kind, start, count) = match *request {
            Request::ReadHoldingRegisters(start, count) => (RegisterType::Holding, start, count),
            Request::ReadInputRegisters(start, count) => (RegisterType::Input, start, count),
            Request::ReadCoils(start, count) => (RegisterType::Coil, start, count),
            Request::ReadDiscreteInputs(start, count) => {
                (RegisterType::DiscreteInput, start, count)
            }
            _ => return Err(ExceptionCode::IllegalFunction),
        };
        if count == 0 || count > kind.protocol_max_per_request() {
            return Err(ExceptionCode::IllegalDataValue);
        }
        let last = start
            .checked_add(count - 1)
            .ok_or(ExceptionCode::IllegalDataAddress)?;
        let tables = self.tables.read().unwrap_or_else(PoisonError::into_inner);
        if !tables.keys().any(|(unit, _)| *unit == unit_id) {
            return Err(ExceptionCode::GatewayTargetDevice);
        }
        let table = tables
            .get(&(unit_id, kind))
            .ok_or(ExceptionCode::IllegalDataAddress)?;
        let words: Vec<u16> = table.range(start..=last).map(|(_, &word)| word).collect();
        // Keys are distinct addresses in start..=last: all there iff `count` of them.
        if words.len() != usize::from(count) {
            return Err(ExceptionCode::IllegalDataAddress);
        }
        self.stats
            .values_served
            .fetch_add(u64::from(count), Ordering::Relaxed);
        let bits = || words.iter().map(|&w| w != 0).collect();
        Ok(match kind {
            RegisterType::Holding => Response::ReadHoldingRegisters(words),
            RegisterType::Input => Response::ReadInputRegisters(words),
            RegisterType::Coil => Response::ReadCoils(bits()),
            RegisterType::DiscreteInput => Response::ReadDiscreteInputs(bits()),
        })
    }
}

/// The registers of a value for a slot, or `None` when it cannot be stored.
fn encode(slot: &ServedSlot, value: f64) -> Option<Vec<u16>> {
    let raw = codec::unscale(value, slot.scale, slot.offset);
    if slot.data_type == DataType::Bool {
        return (!raw.is_nan()).then(|| vec![u16::from(raw != 0.0)]);
    }
    codec::encode(raw, slot.data_type, slot.byte_order)
}

/// The service of one connection.
#[derive(Clone, Debug)]
struct Handler(Arc<Image>);

impl tokio_modbus::server::Service for Handler {
    type Request = SlaveRequest<'static>;
    type Response = Response;
    type Exception = ExceptionCode;
    type Future = Ready<Result<Response, ExceptionCode>>;

    fn call(&self, request: SlaveRequest<'static>) -> Self::Future {
        let answer = self.0.answer(request.slave, &request.request);
        let stats = &self.0.stats;
        stats.requests.fetch_add(1, Ordering::Relaxed);
        if answer.is_err() {
            stats.exceptions.fetch_add(1, Ordering::Relaxed);
        }
        ready(answer)
    }
}

/// A register map for `tags` of `plant`: float32 holding registers, `ABCD`,
/// two registers each from `first_address`, on `unit_id` — what the
/// simulator serves when no map is configured. `Err` when they do not fit
/// in the 65 536 addresses.
pub fn layout<'a>(
    plant: &str,
    tags: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    unit_id: u8,
    first_address: u16,
) -> Result<Vec<TagConfig>, Error> {
    let mut address = u32::from(first_address);
    let mut map = Vec::new();
    for (tag, unit) in tags {
        let start = u16::try_from(address)
            .ok()
            .filter(|start| *start < u16::MAX)
            .ok_or_else(|| Error::Layout(format!(
                "tag `{tag}` of plant `{plant}` does not fit: a unit holds at most 32768 float32 tags"
            )))?;
        let mut served = TagConfig::new(tag, RegisterType::Holding, start);
        served.plant = Some(plant.to_owned());
        served.unit_id = Some(unit_id);
        served.data_type = Some(DataType::Float32);
        served.unit = unit.map(str::to_owned);
        map.push(served);
        address += 2;
    }
    Ok(map)
}

/// The source config that reads a served map back from `host:port`.
pub fn client_config(host: &str, port: u16, tags: Vec<TagConfig>) -> ModbusConfig {
    let mut device = DeviceConfig::new(host, port);
    device.tags = tags;
    ModbusConfig {
        plant: None,
        backoff: Default::default(),
        devices: vec![device],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steamflow_operators::reading::{PlantId, Tag};

    fn reading(plant: &str, tag: &str, value: f64, quality: Quality) -> Reading {
        Reading {
            time_ms: 0,
            plant: PlantId::from(plant),
            tag: Tag::from(tag),
            value,
            quality,
            unit: None,
        }
    }

    fn image() -> Image {
        let mut flow = TagConfig::new("flow", RegisterType::Holding, 10);
        flow.data_type = Some(DataType::Float32);
        flow.byte_order = ByteOrder::Cdab;
        let mut level = TagConfig::new("level", RegisterType::Input, 0);
        level.data_type = Some(DataType::Int16);
        level.scale = 0.1;
        level.plant = Some("north".into());
        let mut run = TagConfig::new("run", RegisterType::Coil, 3);
        run.unit_id = Some(2);
        Image::new(&[flow, level, run])
    }

    #[test]
    fn readings_land_in_their_registers() {
        let image = image();
        assert!(image.apply(&reading("any", "flow", 123.456, Quality::Good)));
        assert_eq!(
            image.answer(1, &Request::ReadHoldingRegisters(10, 2)),
            Ok(Response::ReadHoldingRegisters(vec![0xE979, 0x42F6]))
        );
        assert!(image.apply(&reading("north", "level", -1.26, Quality::Good)));
        assert_eq!(
            image.answer(1, &Request::ReadInputRegisters(0, 1)),
            Ok(Response::ReadInputRegisters(vec![(-13i16) as u16]))
        );
        // Another plant's `level` is not this tag.
        assert!(!image.apply(&reading("south", "level", 5.0, Quality::Good)));
        assert!(image.apply(&reading("north", "run", 1.0, Quality::Good)));
        assert_eq!(
            image.answer(2, &Request::ReadCoils(3, 1)),
            Ok(Response::ReadCoils(vec![true]))
        );
    }

    #[test]
    fn bad_quality_and_nan_integers_hold_the_last_value() {
        let image = image();
        image.apply(&reading("north", "level", 2.0, Quality::Good));
        image.apply(&reading("north", "level", 9.0, Quality::Bad));
        image.apply(&reading("north", "level", f64::NAN, Quality::Good));
        assert_eq!(
            image.answer(1, &Request::ReadInputRegisters(0, 1)),
            Ok(Response::ReadInputRegisters(vec![20]))
        );
        assert_eq!(image.stats.held.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn unmapped_addresses_quantities_units_and_functions_are_exceptions() {
        let image = image();
        let cases = [
            (
                1,
                Request::ReadHoldingRegisters(9, 2),
                ExceptionCode::IllegalDataAddress,
            ),
            (
                1,
                Request::ReadHoldingRegisters(10, 3),
                ExceptionCode::IllegalDataAddress,
            ),
            (
                1,
                Request::ReadHoldingRegisters(10, 0),
                ExceptionCode::IllegalDataValue,
            ),
            (
                1,
                Request::ReadHoldingRegisters(0, 126),
                ExceptionCode::IllegalDataValue,
            ),
            (
                1,
                Request::ReadHoldingRegisters(65_535, 2),
                ExceptionCode::IllegalDataAddress,
            ),
            (
                1,
                Request::ReadCoils(3, 1),
                ExceptionCode::IllegalDataAddress,
            ),
            (
                9,
                Request::ReadHoldingRegisters(10, 2),
                ExceptionCode::GatewayTargetDevice,
            ),
            (
                1,
                Request::WriteSingleRegister(10, 1),
                ExceptionCode::IllegalFunction,
            ),
        ];
        for (unit, request, expected) in cases {
            assert_eq!(image.answer(unit, &request), Err(expected), "{request:?}");
        }
    }

    #[test]
    fn layout_packs_float32_pairs_and_refuses_overflow() {
        let tags = [("a", Some("kg/h")), ("b", None)];
        let Ok(map) = layout("north", tags, 3, 100) else {
            panic!("fits");
        };
        assert_eq!(map[1].address, 102);
        assert_eq!(map[0].unit.as_deref(), Some("kg/h"));
        assert_eq!(map[1].unit_id, Some(3));
        let config = client_config("127.0.0.1", 5020, map);
        assert_eq!(config.issues(None), vec![]);
        let names: Vec<String> = (0..3).map(|i| format!("t{i}")).collect();
        let too_many = layout("p", names.iter().map(|n| (n.as_str(), None)), 1, 65_532);
        assert!(too_many.is_err());
    }
}
