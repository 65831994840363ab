//! Nanoseconds per call of the IF97 functions the dataflow calls most.
//!
//! Run: `cargo bench -p steamflow-benches --bench if97`
//! (criterion prints the time per call; `-- --quick` for a shorter run).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use steamflow_operators::if97;
use steamflow_operators::units::{Pressure, SpecificEnthalpy, SpecificEntropy, Temperature};

fn enthalpy_pt(c: &mut Criterion) {
    let mut group = c.benchmark_group("h(p,T)");
    // One point in each region, from the R7-97(2012) verification tables.
    let points = [
        ("region 1", 3.0, 300.0),
        ("region 2", 0.0035, 300.0),
        ("region 3", 25.583_701_8, 650.0),
        ("region 5", 0.5, 1500.0),
    ];
    for (name, p, t) in points {
        let (p, t) = (Pressure::from_mpa(p), Temperature::from_kelvin(t));
        group.bench_function(name, |b| b.iter(|| if97::h_pt(black_box(p), black_box(t))));
    }
    group.finish();
}

fn full_state_pt(c: &mut Criterion) {
    let mut group = c.benchmark_group("state(p,T)");
    for (name, p, t) in [("region 1", 3.0, 300.0), ("region 2", 1.0, 523.15)] {
        let (p, t) = (Pressure::from_mpa(p), Temperature::from_kelvin(t));
        group.bench_function(name, |b| {
            b.iter(|| if97::state_pt(black_box(p), black_box(t)))
        });
    }
    group.finish();
}

fn saturation_temperature(c: &mut Criterion) {
    let p = Pressure::from_mpa(1.0);
    c.bench_function("Tsat(p)", |b| {
        b.iter(|| if97::saturation_temperature(black_box(p)))
    });
}

fn temperature_ph(c: &mut Criterion) {
    let mut group = c.benchmark_group("T(p,h)");
    let points = [
        ("region 1", 3.0, 500.0),
        ("region 2", 1.0, 3000.0),
        ("region 3", 25.0, 2000.0),
    ];
    for (name, p, h) in points {
        let (p, h) = (Pressure::from_mpa(p), SpecificEnthalpy::from_kj_per_kg(h));
        group.bench_function(name, |b| b.iter(|| if97::t_ph(black_box(p), black_box(h))));
    }
    group.finish();
}

fn pressure_hs(c: &mut Criterion) {
    let mut group = c.benchmark_group("p(h,s)");
    let points = [
        ("region 1", 1000.0, 2.6),
        ("region 2", 3000.0, 6.5),
        ("region 3", 2000.0, 4.2),
    ];
    for (name, h, s) in points {
        let (h, s) = (
            SpecificEnthalpy::from_kj_per_kg(h),
            SpecificEntropy::from_kj_per_kg_k(s),
        );
        group.bench_function(name, |b| b.iter(|| if97::p_hs(black_box(h), black_box(s))));
    }
    group.finish();
}

criterion_group!(
    benches,
    enthalpy_pt,
    full_state_pt,
    saturation_temperature,
    temperature_ph,
    pressure_hs
);
criterion_main!(benches);
