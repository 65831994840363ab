//! `steamflow run --check`: is each device reachable, and is each tag
//! readable? One connection and one poll per device, all devices at once.

use std::fmt;
use std::time::{Duration, Instant};

use tokio_modbus::client::Client;

use crate::Error;
use crate::config::ModbusConfig;
use crate::device::{Device, Outcome};

/// What a check found, device by device.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckReport {
    pub devices: Vec<DeviceCheck>,
}

/// One device's check.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceCheck {
    /// The device's name (`name`, else `host:port`).
    pub device: String,
    /// Whether it accepted a connection, and how long that took; else why not.
    pub connection: Result<Duration, String>,
    /// Each tag's value (scaled), or why it could not be read.
    pub tags: Vec<TagCheck>,
    /// Requests the poll took (after splits of refused requests).
    pub requests: u64,
}

/// One tag's check.
#[derive(Clone, Debug, PartialEq)]
pub struct TagCheck {
    pub plant: String,
    pub tag: String,
    /// `device/unit/table/address`.
    pub origin: String,
    /// The scaled value, or the reason code and the message.
    pub result: Result<f64, (&'static str, String)>,
}

impl CheckReport {
    /// Whether every device answered and every tag was read.
    pub fn ok(&self) -> bool {
        self.devices.iter().all(DeviceCheck::ok)
    }
}

impl DeviceCheck {
    /// Whether the device answered and each of its tags was read.
    pub fn ok(&self) -> bool {
        self.connection.is_ok() && self.tags.iter().all(|t| t.result.is_ok())
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for device in &self.devices {
            match &device.connection {
                Ok(took) => writeln!(
                    f,
                    "{}: connected in {} ms, {} requests",
                    device.device,
                    took.as_millis(),
                    device.requests
                )?,
                Err(reason) => writeln!(f, "{}: UNREACHABLE: {reason}", device.device)?,
            }
            for tag in &device.tags {
                match &tag.result {
                    Ok(value) => writeln!(
                        f,
                        "  ok    {}/{} = {value} ({})",
                        tag.plant, tag.tag, tag.origin
                    )?,
                    Err((reason, message)) => writeln!(
                        f,
                        "  FAIL  {}/{} ({}): {reason}: {message}",
                        tag.plant, tag.tag, tag.origin
                    )?,
                }
            }
        }
        Ok(())
    }
}

/// Connects to every device of `config` and reads each tag once. Devices
/// that cannot be reached or tags that cannot be read are in the report
/// (see [`CheckReport::ok`]); only an invalid config is an error.
pub async fn check(config: &ModbusConfig) -> Result<CheckReport, Error> {
    let issues = config.issues(None);
    if !issues.is_empty() {
        return Err(Error::Config(issues));
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (index, device) in config.devices.iter().enumerate() {
        let device = Device::resolve("check", config, device);
        tasks.spawn(async move { (index, check_device(device).await) });
    }
    let mut devices: Vec<(usize, DeviceCheck)> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        devices.push(joined.map_err(|error| Error::Task(error.to_string()))?);
    }
    devices.sort_by_key(|(index, _)| *index);
    Ok(CheckReport {
        devices: devices.into_iter().map(|(_, check)| check).collect(),
    })
}

async fn check_device(device: Device) -> DeviceCheck {
    let started = Instant::now();
    let mut ctx = match device.connect().await {
        Ok(ctx) => ctx,
        Err(reason) => {
            return DeviceCheck {
                device: device.label.clone(),
                connection: Err(reason.clone()),
                tags: tags(&device, &[], Some(&reason)),
                requests: 0,
            };
        }
    };
    let took = started.elapsed();
    let mut plan = device.plan();
    let mut outcomes = Vec::new();
    let polled = device.poll(&mut ctx, &mut plan, &mut outcomes).await;
    let _ = tokio::time::timeout(Duration::from_millis(100), ctx.disconnect()).await;
    let (requests, unread) = match &polled {
        Ok(stats) => (stats.requests, None),
        Err(failure) => (0, Some(failure.to_string())),
    };
    DeviceCheck {
        device: device.label.clone(),
        connection: Ok(took),
        tags: tags(&device, &outcomes, unread.as_deref()),
        requests,
    }
}

/// Each tag's result; tags without an outcome were not read because of `unread`.
fn tags(device: &Device, outcomes: &[(usize, Outcome)], unread: Option<&str>) -> Vec<TagCheck> {
    device
        .tags
        .iter()
        .enumerate()
        .map(|(index, tag)| {
            let outcome = outcomes.iter().find(|(i, _)| *i == index).map(|(_, o)| o);
            let result = match outcome {
                Some(Outcome::Value(value)) => Ok(*value),
                Some(Outcome::Failed {
                    reason, message, ..
                }) => Err((*reason, message.clone())),
                None => Err((
                    "not_read",
                    format!("not read: {}", unread.unwrap_or("the poll ended early")),
                )),
            };
            TagCheck {
                plant: tag.plant.to_string(),
                tag: tag.tag.to_string(),
                origin: device.origin(&tag.slot),
                result,
            }
        })
        .collect()
}
