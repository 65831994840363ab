//! One device: its resolved register map, its connection and one poll.
//!
//! A poll sends the planned requests one after the other on the device's
//! connection (switching the unit id per request) and turns every tag into
//! an [`Outcome`]: a value, or why there is none.
//!
//! - An exception 02 (illegal data address) or 03 (illegal data value) for
//!   a request of several tags splits it in two and retries the halves at
//!   once ([`crate::plan::bisect`]); the split stays in the plan for the
//!   rest of the connection. Only tags refused on their own fail, with
//!   reason `modbus_exception` and the exception code.
//! - Other exceptions (01 illegal function, 04 device failure, 06 busy,
//!   0A/0B gateway) concern the whole request: each of its tags fails with
//!   `modbus_exception`, no split.
//! - An answer with the wrong number of registers or bits fails each tag
//!   of its request with `wrong_byte_count`.
//! - A timeout or an answer that does not parse fails the tags of its
//!   request (`timeout`, `wrong_byte_count`, `malformed_response`) and
//!   replaces the connection; the poll goes on (see [`Device::poll`]).
//! - A dropped connection, or a poll in which nothing answered, ends the
//!   poll ([`Failure`]); the tags already read keep their values.

use std::collections::VecDeque;
use std::io;
use std::time::Duration;

use steamflow_operators::reading::{PlantId, Quality, Reading, Tag, UnitLabel};
use steamflow_source_core::{DecodeError, SourceBatch};
use tokio::net::TcpStream;
use tokio_modbus::client::{Client, Context};
use tokio_modbus::prelude::SlaveContext;
use tokio_modbus::{ExceptionCode, Request, Response, Slave};

use crate::codec;
use crate::config::{ByteOrder, DataType, DeviceConfig, ModbusConfig, RegisterType};
use crate::plan::{self, Block, Limits, Slot};

/// A tag with everything resolved: names, wire place, decoding.
#[derive(Clone, Debug)]
pub struct ResolvedTag {
    pub plant: PlantId,
    pub tag: Tag,
    pub unit: Option<UnitLabel>,
    pub slot: Slot,
    pub data_type: DataType,
    pub byte_order: ByteOrder,
    pub scale: f64,
    pub offset: f64,
}

/// A device ready to poll.
#[derive(Clone, Debug)]
pub struct Device {
    /// The component id of the source.
    pub source: String,
    /// The device's name in messages.
    pub label: String,
    pub host: String,
    pub port: u16,
    pub timeout: Duration,
    pub poll_interval: Duration,
    pub tags: Vec<ResolvedTag>,
    pub slots: Vec<Slot>,
    pub limits: Limits,
}

impl Device {
    /// Resolves a device of a checked config (tags without a plant or a
    /// data type are left out; [`ModbusConfig::issues`] reports them).
    pub fn resolve(source: &str, config: &ModbusConfig, device: &DeviceConfig) -> Device {
        let base = u16::from(device.address_base.min(1));
        let tags: Vec<ResolvedTag> = device
            .tags
            .iter()
            .filter_map(|tag| {
                let plant = tag
                    .plant
                    .as_deref()
                    .or(device.plant.as_deref())
                    .or(config.plant.as_deref())?;
                let data_type = tag.effective_data_type()?;
                Some(ResolvedTag {
                    plant: PlantId::from(plant),
                    tag: Tag::from(tag.tag.as_str()),
                    unit: tag.unit.as_deref().map(UnitLabel::from),
                    slot: Slot {
                        unit_id: tag.unit_id.unwrap_or(device.unit_id),
                        kind: tag.register_type,
                        start: tag.address.saturating_sub(base),
                        width: data_type.width(),
                    },
                    data_type,
                    byte_order: tag.byte_order,
                    scale: tag.scale,
                    offset: tag.offset,
                })
            })
            .collect();
        Device {
            source: source.to_owned(),
            label: device.label(),
            host: device.host.clone(),
            port: device.port,
            timeout: Duration::from_millis(device.timeout_ms.max(1)),
            poll_interval: Duration::from_millis(device.poll_interval_ms.max(1)),
            slots: tags.iter().map(|t| t.slot).collect(),
            tags,
            limits: Limits {
                max_registers: device.max_registers_per_request,
                max_coils: device.max_coils_per_request,
                max_gap: device.max_gap,
            },
        }
    }

    /// The coalesced requests of a fresh connection.
    pub fn plan(&self) -> Vec<Block> {
        plan::plan(&self.slots, self.limits)
    }

    /// Opens the connection (bounded by the timeout).
    pub async fn connect(&self) -> Result<Context, String> {
        let address = format!("{}:{}", self.host, self.port);
        let stream = match tokio::time::timeout(self.timeout, TcpStream::connect(&address)).await {
            Err(_) => {
                return Err(format!(
                    "no connection to {address} within {} ms",
                    self.timeout.as_millis()
                ));
            }
            Ok(Err(error)) => return Err(format!("cannot connect to {address}: {error}")),
            Ok(Ok(stream)) => stream,
        };
        // One small request, one small answer: never wait for Nagle.
        let _ = stream.set_nodelay(true);
        Ok(tokio_modbus::client::tcp::attach(stream))
    }

    /// `label/unit/table/address`: where a tag's value comes from.
    pub fn origin(&self, slot: &Slot) -> String {
        format!(
            "{}/{}/{}/{}",
            self.label,
            slot.unit_id,
            slot.kind.as_str(),
            slot.start
        )
    }

    /// Reads every tag once. `plan` is the connection's plan; splits made
    /// here replace the split requests in it.
    ///
    /// A request that times out or whose answer does not parse fails its
    /// tags (`timeout`, `wrong_byte_count`, `malformed_response`) and
    /// replaces the connection at once — a late or garbled answer would
    /// otherwise be taken for the next request's — and the poll goes on;
    /// the other requests of a unit that timed out are not sent in this
    /// poll (their tags fail with `timeout` too), so a dead unit behind a
    /// gateway costs one timeout per poll. When nothing answered at all, or
    /// the connection cannot be replaced or drops, the poll fails
    /// ([`Failure`]): the device is down, not a tag.
    pub async fn poll(
        &self,
        ctx: &mut Context,
        plan: &mut Vec<Block>,
        outcomes: &mut Vec<(usize, Outcome)>,
    ) -> Result<PollStats, Failure> {
        let mut stats = PollStats::default();
        let mut silent_units: Vec<u8> = Vec::new();
        let mut last_timeout = None;
        let mut queue: VecDeque<Block> = std::mem::take(plan).into();
        while let Some(block) = queue.pop_front() {
            if silent_units.contains(&block.unit_id) {
                let outcome = timeout_failure(&format!(
                    "unit {} did not answer an earlier request of this poll",
                    block.unit_id
                ));
                self.fail_block(&block, outcome, outcomes);
                plan.push(block);
                continue;
            }
            stats.requests += 1;
            let read = self.read(ctx, &block).await;
            if !matches!(read, Err(Failure::Timeout(_))) {
                stats.answered += 1;
            }
            match read {
                Ok(Answer::Values(values)) => {
                    self.decode_block(&block, &values, outcomes);
                    plan.push(block);
                }
                Ok(Answer::Exception(code)) => {
                    if splits(code)
                        && let Some((low, high)) = plan::bisect(&block, &self.slots)
                    {
                        stats.splits += 1;
                        queue.push_front(high);
                        queue.push_front(low);
                        continue;
                    }
                    self.fail_block(&block, exception_failure(code), outcomes);
                    plan.push(block);
                }
                Err(Failure::Connection(reason)) => {
                    plan.push(block);
                    plan.extend(queue);
                    return Err(Failure::Connection(reason));
                }
                Err(failure) => {
                    let outcome = match &failure {
                        Failure::Malformed { reason, message } => Outcome::Failed {
                            reason,
                            message: message.clone(),
                            payload: String::new(),
                        },
                        other => {
                            silent_units.push(block.unit_id);
                            last_timeout = Some(other.clone());
                            timeout_failure(&other.to_string())
                        }
                    };
                    self.fail_block(&block, outcome, outcomes);
                    plan.push(block);
                    match self.connect().await {
                        Ok(fresh) => {
                            *ctx = fresh;
                            stats.reconnects += 1;
                        }
                        Err(reason) => {
                            plan.extend(queue);
                            return Err(Failure::Connection(reason));
                        }
                    }
                }
            }
        }
        match last_timeout {
            // Nothing answered: the device, not a unit, is silent. Its
            // tags are not failures of their own.
            Some(failure) if stats.answered == 0 => {
                outcomes.retain(|(_, outcome)| !is_timeout(outcome));
                Err(failure)
            }
            _ => Ok(stats),
        }
    }

    /// One request.
    async fn read(&self, ctx: &mut Context, block: &Block) -> Result<Answer, Failure> {
        ctx.set_slave(Slave(block.unit_id));
        let (start, count) = (block.start, block.count);
        let request = match block.kind {
            RegisterType::Holding => Request::ReadHoldingRegisters(start, count),
            RegisterType::Input => Request::ReadInputRegisters(start, count),
            RegisterType::Coil => Request::ReadCoils(start, count),
            RegisterType::DiscreteInput => Request::ReadDiscreteInputs(start, count),
        };
        let answer = match tokio::time::timeout(self.timeout, ctx.call(request)).await {
            Err(_) => {
                return Err(Failure::Timeout(format!(
                    "no answer from {} within {} ms (unit {}, {} {start}, count {count})",
                    self.label,
                    self.timeout.as_millis(),
                    block.unit_id,
                    block.kind.as_str()
                )));
            }
            Ok(Err(tokio_modbus::Error::Transport(error))) => return Err(transport_failure(error)),
            Ok(Err(tokio_modbus::Error::Protocol(error))) => {
                return Err(Failure::Connection(format!(
                    "answer out of step with the request: {error}"
                )));
            }
            Ok(Ok(Err(code))) => return Ok(Answer::Exception(code)),
            Ok(Ok(Ok(response))) => response,
        };
        Ok(Answer::Values(match answer {
            Response::ReadHoldingRegisters(words) | Response::ReadInputRegisters(words) => {
                Values::Words(words)
            }
            Response::ReadCoils(bits) | Response::ReadDiscreteInputs(bits) => Values::Bits(bits),
            other => {
                return Err(Failure::Connection(format!(
                    "unexpected answer {:?} to a read",
                    other.function_code()
                )));
            }
        }))
    }

    /// The tags of an answered request, or `wrong_byte_count` for all of
    /// them when the answer does not have the size asked for.
    fn decode_block(&self, block: &Block, values: &Values, outcomes: &mut Vec<(usize, Outcome)>) {
        let count = usize::from(block.count);
        let (received, expected) = match values {
            Values::Words(words) => (2 * words.len(), 2 * count),
            // Bits come packed, 8 per byte; the decoder unpacks whole bytes.
            Values::Bits(bits) => (bits.len() / 8, count.div_ceil(8)),
        };
        if received != expected {
            let outcome = Outcome::Failed {
                reason: "wrong_byte_count",
                message: format!(
                    "{} answered {received} data bytes for {count} {}, expected {expected}",
                    self.label,
                    if block.kind.is_bits() {
                        "bits"
                    } else {
                        "registers"
                    },
                ),
                payload: values.excerpt(),
            };
            self.fail_block(block, outcome, outcomes);
            return;
        }
        for &index in &block.tags {
            let Some(tag) = self.tags.get(index) else {
                continue;
            };
            let offset = block.offset_of(&tag.slot);
            let raw = match values {
                Values::Words(words) => words
                    .get(offset..offset + usize::from(tag.slot.width))
                    .and_then(|words| codec::decode(words, tag.data_type, tag.byte_order)),
                Values::Bits(bits) => bits.get(offset).map(|&bit| f64::from(u8::from(bit))),
            };
            let outcome = match raw {
                Some(raw) => Outcome::Value(codec::scale(raw, tag.scale, tag.offset)),
                None => Outcome::Failed {
                    reason: "wrong_byte_count",
                    message: format!(
                        "the answer of {} does not cover tag `{}`",
                        self.label, tag.tag
                    ),
                    payload: values.excerpt(),
                },
            };
            outcomes.push((index, outcome));
        }
    }

    fn fail_block(&self, block: &Block, outcome: Outcome, outcomes: &mut Vec<(usize, Outcome)>) {
        outcomes.extend(block.tags.iter().map(|&index| (index, outcome.clone())));
    }

    /// The readings and dead letters of a poll's outcomes, at `time_ms`.
    pub fn batch(&self, outcomes: &[(usize, Outcome)], time_ms: i64) -> SourceBatch {
        let mut batch = SourceBatch::default();
        for (index, outcome) in outcomes {
            let Some(tag) = self.tags.get(*index) else {
                continue;
            };
            match outcome {
                Outcome::Value(value) => batch.readings.push(Reading {
                    time_ms,
                    plant: tag.plant.clone(),
                    tag: tag.tag.clone(),
                    value: *value,
                    // A float register holding NaN or ∞ is the device's own "no value".
                    quality: if value.is_finite() {
                        Quality::Good
                    } else {
                        Quality::Bad
                    },
                    unit: tag.unit.clone(),
                }),
                Outcome::Failed {
                    reason,
                    message,
                    payload,
                } => batch.errors.push(DecodeError::new(
                    &self.source,
                    reason,
                    format!(
                        "tag `{}` of plant `{}` ({} {} {}): {message}",
                        tag.tag,
                        tag.plant,
                        tag.data_type.as_str(),
                        tag.slot.kind.as_str(),
                        tag.slot.start
                    ),
                    self.origin(&tag.slot),
                    payload,
                    time_ms,
                )),
            }
        }
        batch
    }
}

/// What became of one tag in a poll.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The scaled value.
    Value(f64),
    /// No value, and why.
    Failed {
        reason: &'static str,
        message: String,
        payload: String,
    },
}

/// Counts of one poll.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PollStats {
    /// Requests sent.
    pub requests: u64,
    /// Requests split after an address exception.
    pub splits: u64,
    /// Requests answered (values, exceptions, or garbled).
    pub answered: u64,
    /// Connections replaced after a timeout or a garbled answer.
    pub reconnects: u64,
}

/// Why a poll ended early: the connection is no longer usable.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// No answer in time.
    Timeout(String),
    /// The connection dropped or the answers fell out of step.
    Connection(String),
    /// The device answered a frame that does not parse (the decoder gives
    /// up on the stream after it).
    Malformed {
        reason: &'static str,
        message: String,
    },
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Timeout(message) | Failure::Connection(message) => f.write_str(message),
            Failure::Malformed { reason, message } => write!(f, "{reason}: {message}"),
        }
    }
}

enum Answer {
    Values(Values),
    Exception(ExceptionCode),
}

enum Values {
    Words(Vec<u16>),
    Bits(Vec<bool>),
}

impl Values {
    /// The first values received, for the dead-letter record.
    fn excerpt(&self) -> String {
        match self {
            Values::Words(words) => words
                .iter()
                .take(60)
                .map(|w| format!("{w:04x}"))
                .collect::<Vec<_>>()
                .join(" "),
            Values::Bits(bits) => bits
                .iter()
                .take(400)
                .map(|&b| if b { '1' } else { '0' })
                .collect(),
        }
    }
}

/// Whether an exception names an address or a quantity, so that a smaller
/// request may succeed.
fn splits(code: ExceptionCode) -> bool {
    matches!(
        code,
        ExceptionCode::IllegalDataAddress | ExceptionCode::IllegalDataValue
    )
}

/// The name the Modbus specification gives an exception code.
pub fn exception_name(code: u8) -> &'static str {
    match code {
        0x01 => "illegal function",
        0x02 => "illegal data address",
        0x03 => "illegal data value",
        0x04 => "server device failure",
        0x05 => "acknowledge",
        0x06 => "server device busy",
        0x08 => "memory parity error",
        0x0A => "gateway path unavailable",
        0x0B => "gateway target device failed to respond",
        _ => "unknown exception",
    }
}

fn exception_failure(code: ExceptionCode) -> Outcome {
    let code = u8::from(code);
    Outcome::Failed {
        reason: "modbus_exception",
        message: format!(
            "the device answered exception {code:02X} ({})",
            exception_name(code)
        ),
        payload: format!("exception {code:02X}"),
    }
}

fn timeout_failure(message: &str) -> Outcome {
    Outcome::Failed {
        reason: "timeout",
        message: message.to_owned(),
        payload: String::new(),
    }
}

fn is_timeout(outcome: &Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Failed {
            reason: "timeout",
            ..
        }
    )
}

/// A transport error: a frame that does not parse (the device answered,
/// wrongly) or a connection that failed.
fn transport_failure(error: io::Error) -> Failure {
    match error.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            let text = error.to_string();
            // The decoder's words for a byte count that disagrees with the
            // frame ("invalid quantity": odd; "too short"; running out of
            // bytes while reading the registers).
            let byte_count = text.contains("quantity")
                || text.contains("too short")
                || error.kind() == io::ErrorKind::UnexpectedEof;
            Failure::Malformed {
                reason: if byte_count {
                    "wrong_byte_count"
                } else {
                    "malformed_response"
                },
                message: format!("the answer does not parse: {text}"),
            }
        }
        _ => Failure::Connection(format!("connection lost: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TagConfig;

    fn device(tags: Vec<TagConfig>) -> Device {
        let mut config = DeviceConfig::new("127.0.0.1", 502);
        config.address_base = 1;
        config.tags = tags;
        let source = ModbusConfig {
            plant: Some("north".into()),
            backoff: Default::default(),
            devices: vec![config.clone()],
        };
        Device::resolve("plc", &source, &config)
    }

    #[test]
    fn resolve_applies_address_base_defaults_and_widths() {
        let mut flow = TagConfig::new("flow", RegisterType::Holding, 1);
        flow.data_type = Some(DataType::Float64);
        flow.unit_id = Some(7);
        flow.unit = Some("kg/h".into());
        let run = TagConfig::new("run", RegisterType::Coil, 10);
        let device = device(vec![flow, run]);
        assert_eq!(device.tags[0].slot.start, 0);
        assert_eq!(device.tags[0].slot.width, 4);
        assert_eq!(device.tags[0].slot.unit_id, 7);
        assert_eq!(
            device.tags[1].slot,
            Slot {
                unit_id: 1,
                kind: RegisterType::Coil,
                start: 9,
                width: 1
            }
        );
        assert_eq!(
            device.origin(&device.tags[1].slot),
            "127.0.0.1:502/1/coil/9"
        );
        assert_eq!(device.tags[0].plant.as_str(), "north");
    }

    #[test]
    fn decode_block_reads_each_tag_at_its_offset_and_checks_sizes() {
        let mut a = TagConfig::new("a", RegisterType::Holding, 11);
        a.data_type = Some(DataType::Int16);
        a.scale = 0.5;
        a.offset = 1.0;
        let mut b = TagConfig::new("b", RegisterType::Holding, 12);
        b.data_type = Some(DataType::Float32);
        b.byte_order = ByteOrder::Cdab;
        let device = device(vec![a, b]);
        let plan = device.plan();
        assert_eq!((plan[0].start, plan[0].count), (10, 3));
        let mut outcomes = Vec::new();
        let words = Values::Words(vec![0xFFFE, 0xE979, 0x42F6]);
        device.decode_block(&plan[0], &words, &mut outcomes);
        assert_eq!(
            outcomes,
            vec![
                (0, Outcome::Value(0.0)),
                (1, Outcome::Value(f64::from(123.456f32)))
            ]
        );
        outcomes.clear();
        device.decode_block(&plan[0], &Values::Words(vec![1, 2]), &mut outcomes);
        assert_eq!(outcomes.len(), 2);
        assert!(outcomes.iter().all(|(_, o)| matches!(
            o,
            Outcome::Failed {
                reason: "wrong_byte_count",
                ..
            }
        )));
        let batch = device.batch(&outcomes, 5);
        assert_eq!(batch.errors.len(), 2);
        assert_eq!(batch.errors[0].origin, "127.0.0.1:502/1/holding/10");
        assert_eq!(batch.errors[0].payload, "0001 0002");
    }

    #[test]
    fn bits_need_exactly_the_bytes_asked_for() {
        let device = device(
            (1..=10)
                .map(|i| TagConfig::new(format!("c{i}"), RegisterType::Coil, i))
                .collect(),
        );
        let plan = device.plan();
        assert_eq!(plan[0].count, 10);
        let mut outcomes = Vec::new();
        let mut bits = vec![false; 16];
        bits[3] = true;
        device.decode_block(&plan[0], &Values::Bits(bits), &mut outcomes);
        assert_eq!(outcomes[3], (3, Outcome::Value(1.0)));
        assert_eq!(outcomes[2], (2, Outcome::Value(0.0)));
        outcomes.clear();
        device.decode_block(&plan[0], &Values::Bits(vec![true; 8]), &mut outcomes);
        assert!(matches!(
            &outcomes[0].1,
            Outcome::Failed {
                reason: "wrong_byte_count",
                ..
            }
        ));
    }

    #[test]
    fn non_finite_values_are_bad_quality() {
        let mut a = TagConfig::new("a", RegisterType::Input, 1);
        a.data_type = Some(DataType::Float32);
        let device = device(vec![a]);
        let batch = device.batch(&[(0, Outcome::Value(f64::NAN))], 7);
        assert_eq!(batch.readings[0].quality, Quality::Bad);
        assert_eq!(batch.readings[0].time_ms, 7);
    }

    #[test]
    fn transport_errors_are_classified() {
        let odd = io::Error::new(io::ErrorKind::InvalidData, "invalid quantity");
        assert!(matches!(
            transport_failure(odd),
            Failure::Malformed {
                reason: "wrong_byte_count",
                ..
            }
        ));
        let protocol = io::Error::new(io::ErrorKind::InvalidData, "Invalid protocol identifier");
        assert!(matches!(
            transport_failure(protocol),
            Failure::Malformed {
                reason: "malformed_response",
                ..
            }
        ));
        let reset = io::Error::new(io::ErrorKind::ConnectionReset, "reset");
        assert!(matches!(transport_failure(reset), Failure::Connection(_)));
        assert_eq!(exception_name(2), "illegal data address");
    }
}
