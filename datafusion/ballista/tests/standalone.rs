//! SQL through Ballista's standalone mode: the client plans, the in-process
//! scheduler schedules and the executor runs over gRPC, as on a cluster;
//! results against f64 references within each kernel's declared bound.

use std::io::Write;

use datafusion::arrow::array::{Array, Float32Array, Float64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::CsvReadOptions;
use simdwise_testkit::ulp_error;

fn floats(batches: &[RecordBatch], column: usize) -> Vec<Option<f64>> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b.column(column).clone();
            (0..a.len())
                .map(move |i| {
                    a.is_valid(i).then(|| match a.as_any().downcast_ref::<Float32Array>() {
                        Some(f) => f64::from(f.value(i)),
                        None => a.as_any().downcast_ref::<Float64Array>().unwrap().value(i),
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A kernel's exact result from `x` (which may be null) and `y`.
type Reference = Box<dyn Fn(Option<f64>, f64) -> Option<f64>>;

fn bound(name: &str) -> f64 {
    f64::from(simdwise::ALL.iter().find(|k| k.name() == name).unwrap().max_ulp())
}

#[tokio::test(flavor = "multi_thread")]
async fn kernels_run_on_a_ballista_executor() {
    // A CSV file of 3,000 rows (some x empty: nulls), read by the executor.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    let mut file = std::fs::File::create(&path).unwrap();
    writeln!(file, "id,x,y").unwrap();
    for i in 0..3000 {
        let x = (i % 17 != 5).then(|| ((i as f32 * 0.37) % 20.0) - 10.0);
        let y = (i as f32 * 0.11) % 8.0 - 4.0;
        let x = x.map_or(String::new(), |x| x.to_string());
        writeln!(file, "{i},{x},{y}").unwrap();
    }
    drop(file);

    let ctx = simdwise_ballista::standalone().await.unwrap();
    let schema = Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("x", DataType::Float32, true),
        Field::new("y", DataType::Float32, false),
    ]);
    ctx.register_csv("t", path.to_str().unwrap(), CsvReadOptions::new().schema(&schema))
        .await
        .unwrap();
    // The scheduler plans the kernel into its stages (what its executors run).
    let plan = ctx
        .sql("EXPLAIN SELECT gelu(x) FROM t")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let text = datafusion::arrow::util::pretty::pretty_format_batches(&plan)
        .unwrap()
        .to_string();
    let distributed = text.split("distributed_plan").nth(1).unwrap_or_default();
    assert!(
        distributed.contains("ShuffleWriterExec") && distributed.contains("gelu(x@0)"),
        "not planned into Ballista stages:\n{text}"
    );
    let batches = ctx
        .sql("SELECT id, x, y, gelu(x + 1.5), silu(y), leaky_relu(x, 0.1), add(x, y) FROM t ORDER BY id")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let (x, y) = (floats(&batches, 1), floats(&batches, 2));
    assert_eq!(x.len(), 3000, "every row comes back");
    let (gelu, silu, add) = (
        simdwise::reference::of(&simdwise::gelu::KERNEL),
        simdwise::reference::of(&simdwise::silu::KERNEL),
        simdwise::reference::of(&simdwise::add::KERNEL),
    );
    let checks: [(&str, Reference); 4] = [
        (
            "gelu",
            Box::new(move |x, _| x.map(|x| gelu(&[f64::from((x + 1.5) as f32)]))),
        ),
        ("silu", Box::new(move |_, y| Some(silu(&[y])))),
        (
            "leaky_relu",
            Box::new(|x, _| x.map(|x| if x > 0.0 { x } else { 0.1f32 as f64 * x })),
        ),
        ("add", Box::new(move |x, y| x.map(|x| add(&[x, y])))),
    ];
    let mut nulls = 0;
    for (c, (name, reference)) in checks.iter().enumerate() {
        let got = floats(&batches, 3 + c);
        for i in 0..3000 {
            match (got[i], reference(x[i], y[i].unwrap())) {
                (Some(g), Some(w)) => {
                    let e = ulp_error(g as f32, w);
                    assert!(e <= bound(name), "{name} row {i}: {g} vs {w} ({e} ulp)");
                }
                (None, None) => nulls += 1,
                (g, w) => panic!("{name} row {i}: {g:?} vs {w:?}"),
            }
        }
    }
    assert_eq!(
        nulls,
        3 * (0..3000).filter(|i| i % 17 == 5).count(),
        "nulls carried through"
    );
}

#[test]
fn the_executor_and_scheduler_sides_hold_every_kernel() {
    use datafusion::execution::FunctionRegistry;
    let registry = simdwise_ballista::function_registry();
    let scheduler = simdwise_ballista::scheduler_session(datafusion::prelude::SessionConfig::new()).unwrap();
    for kernel in simdwise::ALL {
        assert!(
            registry.scalar_functions.contains_key(kernel.name()),
            "{}",
            kernel.name()
        );
        assert!(scheduler.udf(kernel.name()).is_ok(), "{}", kernel.name());
    }
    assert!(
        registry.scalar_functions.contains_key("upper"),
        "DataFusion's own functions stay"
    );
}
