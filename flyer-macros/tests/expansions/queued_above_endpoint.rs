#[endpoint(GET, "/above", crate = "my_flyer")]
#[::my_flyer::queued(limit = 2)]
async fn above() -> u32 {
    1
}
