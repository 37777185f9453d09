//! A small todo list on Basalt's async API.
//!
//! ```text
//! cargo run -p basalt --example todo -- add "write the docs"
//! cargo run -p basalt --example todo -- done 1
//! cargo run -p basalt --example todo -- list
//! ```
//!
//! The list lives in `todo.db` in the current directory (`TODO_DB` names another file).

use basalt::{named_params, Builder, Connection};

#[tokio::main]
async fn main() -> basalt::Result<()> {
    let path = std::env::var("TODO_DB").unwrap_or_else(|_| "todo.db".into());
    let db = Builder::new_local(path).build().await?;
    let mut conn = db.connect()?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS todo(
             id INTEGER PRIMARY KEY,
             title TEXT NOT NULL,
             done INTEGER NOT NULL DEFAULT 0
         )",
    )
    .await?;

    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["add", titles @ ..] if !titles.is_empty() => {
            // One transaction for all the titles: they are added together or not at all.
            let tx = conn.transaction().await?;
            let mut insert = tx
                .prepare("INSERT INTO todo(title) VALUES (:title)")
                .await?;
            for title in titles {
                insert.execute(named_params! { ":title": title }).await?;
                println!("added #{}: {title}", tx.last_insert_rowid());
            }
            tx.commit().await?;
        }
        ["done", id] => {
            let id: i64 = id.parse().unwrap_or(-1);
            match conn
                .execute("UPDATE todo SET done = 1 WHERE id = ?1", [id])
                .await?
            {
                0 => println!("no todo #{id}"),
                _ => println!("done #{id}"),
            }
        }
        ["clear"] => {
            let removed = conn.execute("DELETE FROM todo WHERE done", ()).await?;
            println!("removed {removed} finished todo(s)");
        }
        ["list"] | [] => list(&conn).await?,
        _ => eprintln!("usage: todo [list | add TITLE... | done ID | clear]"),
    }
    Ok(())
}

async fn list(conn: &Connection) -> basalt::Result<()> {
    let mut rows = conn
        .query("SELECT id, title, done FROM todo ORDER BY id", ())
        .await?;
    let mut any = false;
    while let Some(row) = rows.next().await? {
        any = true;
        let mark = if row.get::<bool>("done")? { "x" } else { " " };
        println!(
            "[{mark}] #{} {}",
            row.get::<i64>("id")?,
            row.get::<String>("title")?
        );
    }
    if !any {
        println!("nothing to do");
    }
    Ok(())
}
