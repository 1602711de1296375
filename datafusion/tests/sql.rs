//! SQL on a DataFusion SessionContext over real record batches (two
//! batches, nulls, sliced arrays), against f64 references within each
//! kernel's declared bound.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Float32Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use simdwise_testkit::ulp_error;

fn column(n: usize, seed: f32, null_every: usize) -> Float32Array {
    (0..n)
        .map(|i| (i % null_every != 3).then(|| ((i as f32 * 0.37 + seed) % 20.0) - 10.0))
        .collect()
}

async fn context() -> SessionContext {
    let schema = Arc::new(Schema::new(vec![
        Field::new("x", DataType::Float32, true),
        Field::new("y", DataType::Float32, true),
    ]));
    // Sliced arrays: the batch's columns start at an offset of their buffers.
    let batch = |n: usize, seed: f32| {
        let x = column(n + 5, seed, 7).slice(5, n);
        let y = column(n + 3, seed * 2.0, 11).slice(3, n);
        RecordBatch::try_new(schema.clone(), vec![Arc::new(x), Arc::new(y)]).unwrap()
    };
    let table = MemTable::try_new(schema.clone(), vec![vec![batch(1000, 0.5), batch(777, 1.25)]]).unwrap();
    let ctx = SessionContext::new();
    for udf in simdwise_datafusion::udfs() {
        ctx.register_udf(udf);
    }
    ctx.register_table("t", Arc::new(table)).unwrap();
    ctx
}

fn floats(batches: &[RecordBatch], column: usize) -> Vec<Option<f32>> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b
                .column(column)
                .as_any()
                .downcast_ref::<Float32Array>()
                .unwrap()
                .clone();
            (0..a.len())
                .map(move |i| a.is_valid(i).then(|| a.value(i)))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn kernels_in_sql_match_the_references() {
    let ctx = context().await;
    let batches = ctx
        .sql("SELECT x, y, gelu(x + 1.5), silu(y), leaky_relu(x, 0.1), add(x, y), tanh(2.0) FROM t")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let (x, y) = (floats(&batches, 0), floats(&batches, 1));
    assert_eq!(x.len(), 1777);
    let results: Vec<Vec<Option<f32>>> = (2..7).map(|c| floats(&batches, c)).collect();
    let bound = |name: &str| f64::from(simdwise::ALL.iter().find(|k| k.name() == name).unwrap().max_ulp());
    let reference = |kernel| simdwise::reference::of(kernel);
    let (gelu, silu, add) = (
        reference(&simdwise::gelu::KERNEL),
        reference(&simdwise::silu::KERNEL),
        reference(&simdwise::add::KERNEL),
    );
    let mut nulls = 0;
    for i in 0..x.len() {
        let check = |name: &str, got: Option<f32>, want: Option<f64>| match (got, want) {
            (Some(g), Some(w)) => assert!(ulp_error(g, w) <= bound(name), "{name} row {i}: {g} vs {w}"),
            (None, None) => {}
            other => panic!("{name} row {i}: null mismatch {other:?}"),
        };
        let (xv, yv) = (x[i].map(f64::from), y[i].map(f64::from));
        nulls += usize::from(xv.is_none());
        // x + 1.5 is computed by DataFusion in f32, then rounded.
        check("gelu", results[0][i], x[i].map(|v| gelu(&[f64::from(v + 1.5)])));
        check("silu", results[1][i], yv.map(|v| silu(&[v])));
        check(
            "leaky_relu",
            results[2][i],
            xv.map(|v| if v > 0.0 { v } else { v * f64::from(0.1f32) }),
        );
        check("add", results[3][i], xv.zip(yv).map(|(a, b)| add(&[a, b])));
        check("tanh", results[4][i], Some(2f64.tanh()));
    }
    assert!(nulls > 200, "the table has nulls ({nulls})");
}

#[tokio::test]
async fn a_column_for_a_scalar_parameter_is_an_error() {
    let ctx = context().await;
    let result = match ctx.sql("SELECT leaky_relu(x, y) FROM t").await {
        Ok(frame) => frame.collect().await.map(drop),
        Err(e) => Err(e),
    };
    let message = result.unwrap_err().to_string();
    assert!(message.contains("leaky_relu") && message.contains("alpha"), "{message}");
}
