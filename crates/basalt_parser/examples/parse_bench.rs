//! Parse throughput: `cargo run --release -p basalt_parser --example parse_bench -- FILE...`
//!
//! Parses the given SQL files whole, or for sqllogictest `.test` files the
//! SQL of each record separately, several times, and prints MB/s.

use std::time::Instant;

fn inputs_of(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    if !path.ends_with(".test") {
        return vec![text];
    }
    let mut out = Vec::new();
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    while let Some(line) = lines.next() {
        if !(line.starts_with("statement ") || line.starts_with("query ")) {
            continue;
        }
        let mut sql = String::new();
        for l in lines.by_ref() {
            if l.is_empty() || l == "----" {
                break;
            }
            sql.push_str(l);
            sql.push('\n');
        }
        out.push(sql);
    }
    out
}

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: parse_bench FILE...");
        std::process::exit(2);
    }
    let inputs: Vec<String> = files.iter().flat_map(|f| inputs_of(f)).collect();
    let mb = inputs.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    let rounds = 5;
    let start = Instant::now();
    let (mut ok, mut err) = (0usize, 0usize);
    for _ in 0..rounds {
        for sql in &inputs {
            let mut p = basalt_parser::Parser::new(sql);
            loop {
                match p.next_statement() {
                    Ok(Some(_)) => ok += 1,
                    Ok(None) => break,
                    Err(_) => err += 1,
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{:.1} MB x {rounds} rounds, {} statements/round ({} errors): {:.3} s, {:.1} MB/s",
        mb,
        ok / rounds,
        err / rounds,
        secs,
        mb * rounds as f64 / secs
    );
}
