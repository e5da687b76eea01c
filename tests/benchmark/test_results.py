from study import append_csv_row, read_csv_rows


def test_csv_rows_append_and_grow_columns(tmp_path):
    path = tmp_path / "rows.csv"
    assert read_csv_rows(path) == []
    append_csv_row(path, {"a": 1, "b": 2})
    append_csv_row(path, {"a": 3, "c": "x"})
    assert read_csv_rows(path) == [{"a": "1", "b": "2", "c": ""}, {"a": "3", "b": "", "c": "x"}]
