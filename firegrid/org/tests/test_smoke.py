def test_world_builds(world):
    assert world.grid_a.path == "/T500/T501/T50101/T5010101/"
