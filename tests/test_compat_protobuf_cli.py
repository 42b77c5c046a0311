"""`grimoire compat` on `.proto` files: verdicts, locations, imports, buf warnings, bad input.

Schemas are written in tmp_path by each test (an insurance claim event), so every test shows the
change it is about.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_grimoire, run_grimoire_without_protobuf_toolchain
from eventdesign.cli import main

CLAIM_V1 = """\
syntax = "proto3";
package insurance.claims.v1;

import "google/protobuf/timestamp.proto";

message ClaimFiled {
  string claim_id = 1;
  string policy_id = 2;
  int64 amount_cents = 3;
  google.protobuf.Timestamp filed_at = 4;
}
"""


def compat(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(["compat", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def proto(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_an_added_field_is_compatible(capsys, tmp_path: Path) -> None:
    old = proto(tmp_path / "v1.proto", CLAIM_V1)
    new = proto(
        tmp_path / "v2.proto",
        CLAIM_V1.replace("filed_at = 4;\n", "filed_at = 4;\n  string adjuster_id = 5;\n"),
    )
    code, out, _ = compat(capsys, old, new, "--mode", "FULL_TRANSITIVE")
    assert code == 0
    assert out.splitlines()[-1] == f"compat: FULL_TRANSITIVE: compatible (against {old})"


def test_a_scalar_type_change_is_located_in_the_new_file(capsys, tmp_path: Path) -> None:
    old = proto(tmp_path / "v1.proto", CLAIM_V1)
    new = proto(
        tmp_path / "v2.proto", CLAIM_V1.replace("int64 amount_cents", "string amount_cents")
    )
    code, out, _ = compat(capsys, old, new)
    assert code == 1
    assert f"{new}:9:3: error CMP103 FIELD_SCALAR_KIND_CHANGED at #/ClaimFiled/3" in out
    assert "compat: BACKWARD: incompatible (1 change;" in out


@pytest.mark.parametrize(
    ("new_package", "where"),
    [("package insurance.claims.v2;\n", "new.proto:2:1"), ("", "old.proto:2:1")],
    ids=["changed", "removed"],
)
def test_a_package_change_is_located_at_the_package_statement(
    capsys, tmp_path: Path, new_package: str, where: str
) -> None:
    old = proto(tmp_path / "old.proto", CLAIM_V1)
    new = proto(
        tmp_path / "new.proto", CLAIM_V1.replace("package insurance.claims.v1;\n", new_package)
    )
    code, out, _ = compat(capsys, old, new)
    assert code == 1
    assert f"{tmp_path}/{where}: error CMP100 PACKAGE_CHANGED" in out


def test_a_renamed_field_passes_the_registry_but_warns_for_json_consumers(
    capsys, tmp_path: Path
) -> None:
    old = proto(tmp_path / "v1.proto", CLAIM_V1)
    new = proto(tmp_path / "v2.proto", CLAIM_V1.replace("policy_id", "policy_ref"))
    code, out, _ = compat(capsys, old, new, "--format", "json")
    assert code == 0
    document = json.loads(out)
    (finding,) = [f for f in document["findings"] if f["severity"] == "warning"]
    assert finding["rule"] == "CMP112"
    assert "FIELD_SAME_NAME, FIELD_SAME_JSON_NAME" in finding["message"]
    assert (finding["line"], finding["column"]) == (8, 3)
    assert document["verdicts"][0]["compatible"] is True
    assert document["verdicts"][0]["warnings"] == 1


def test_a_deleted_field_warns_unless_its_number_and_name_are_reserved(
    capsys, tmp_path: Path
) -> None:
    old = proto(tmp_path / "v1.proto", CLAIM_V1)
    dropped = proto(tmp_path / "v2.proto", CLAIM_V1.replace("  string policy_id = 2;\n", ""))
    code, out, _ = compat(capsys, old, dropped)
    assert code == 0
    assert "warning CMP111 BUF_WIRE" in out and "without reserving the number 2" in out
    reserved = proto(
        tmp_path / "v3.proto",
        CLAIM_V1.replace("  string policy_id = 2;\n", '  reserved 2;\n  reserved "policy_id";\n'),
    )
    code, out, _ = compat(capsys, old, reserved)
    assert code == 0
    assert "warning" not in out.replace("0 warnings", "")
    assert "info CMP113 BUF_FILE" in out


def test_history_in_a_transitive_mode_checks_every_earlier_version(capsys, tmp_path: Path) -> None:
    v1 = proto(tmp_path / "v1.proto", CLAIM_V1)
    v2 = proto(tmp_path / "v2.proto", CLAIM_V1.replace("  int64 amount_cents = 3;\n", ""))
    v3 = proto(tmp_path / "v3.proto", CLAIM_V1.replace("int64 amount_cents", "string amount_cents"))
    code, out, _ = compat(capsys, "--history", v1, v2, v3, "--mode", "BACKWARD_TRANSITIVE")
    assert code == 1
    assert "[BACKWARD: v3 (" in out and "reads data written with v1 (" in out
    code, out, _ = compat(capsys, "--history", v1, v2, v3, "--mode", "BACKWARD")
    assert code == 0


def test_imports_resolve_in_each_files_own_folder(capsys, tmp_path: Path) -> None:
    claim = CLAIM_V1.replace(
        'import "google/protobuf/timestamp.proto";',
        'import "google/protobuf/timestamp.proto";\nimport "party.proto";',
    ).replace("string policy_id = 2;", "insurance.parties.v1.Party claimant = 2;")
    old = proto(tmp_path / "old" / "claim.proto", claim)
    new = proto(tmp_path / "new" / "claim.proto", claim)
    party = (
        'syntax = "proto3";\npackage insurance.parties.v1;\nmessage Party {\n  {} name = 1;\n}\n'
    )
    proto(tmp_path / "old" / "party.proto", party.replace("{}", "string"))
    proto(tmp_path / "new" / "party.proto", party.replace("{}", "int64"))
    code, out, _ = compat(capsys, old, new)
    assert code == 1
    assert f"{new}:9:3: error CMP103 FIELD_SCALAR_KIND_CHANGED at #/Party/1" in out
    assert "FIELD_NAMED_TYPE_CHANGED at #/ClaimFiled/2" in out


def test_well_known_types_resolve_with_no_network() -> None:
    folder = Path(__file__).resolve().parent / "data" / "protobuf" / "custom-options"
    result = run_grimoire(
        "compat",
        str(folder / "old" / "meter_read.proto"),
        str(folder / "new" / "meter_read.proto"),
        offline=True,
    )
    assert result.returncode == 0, result.stderr
    assert "compat: BACKWARD: compatible" in result.stdout


def test_a_syntax_error_is_one_line_with_its_location(capsys, tmp_path: Path) -> None:
    bad = proto(tmp_path / "bad.proto", 'syntax = "proto3";\nmessage Claim {\n  string id = ;\n}\n')
    code, out, err = compat(capsys, bad, bad)
    assert code == 2 and out == ""
    assert err.startswith(f"grimoire compat: error: {bad}:3:15: protoc rejects the schema: ")
    assert "Traceback" not in err


def test_a_missing_import_names_the_import(capsys, tmp_path: Path) -> None:
    bad = proto(tmp_path / "claim.proto", 'syntax = "proto3";\nimport "nowhere.proto";\n')
    code, _, err = compat(capsys, bad, bad)
    assert code == 2
    assert "nowhere.proto" in err and str(bad) in err


def test_without_the_toolchain_the_install_command_is_named(tmp_path: Path) -> None:
    path = proto(tmp_path / "claim.proto", CLAIM_V1)
    result = run_grimoire_without_protobuf_toolchain("compat", path, path)
    assert result.returncode == 2
    assert "pip install 'grpcio-tools>=1.60'" in result.stderr
    assert "Traceback" not in result.stderr


def test_mixing_protobuf_and_json_schema_is_refused(capsys, tmp_path: Path) -> None:
    old = proto(tmp_path / "v1.proto", CLAIM_V1)
    new = tmp_path / "v2.json"
    new.write_text('{"type": "object"}')
    code, _, err = compat(capsys, old, str(new))
    assert code == 2
    assert "mix JSON Schema and Protobuf" in err
