"""A Protobuf payload in a design model: check, compat --against, diagram, both exports, import.

Model: examples/claims-intake (motor insurance claims; ClaimFiled is a .proto payload). Flawed
copies are made in tmp_path, one flaw each, so every test shows what it is about.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO_ROOT, run_grimoire, run_grimoire_without_protobuf_toolchain

EXAMPLE = REPO_ROOT / "examples" / "claims-intake"
PARSE_SCRIPT = REPO_ROOT / "tests" / "tools" / "asyncapi_parse.mjs"


@pytest.fixture
def claims(tmp_path: Path) -> Path:
    target = tmp_path / "claims-intake"
    shutil.copytree(EXAMPLE, target)
    return target / "design.yaml"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    """The 1-based line on which `text` first appears in a file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def findings(model: Path, *args: str) -> tuple[int, list[dict]]:
    result = run_grimoire("check", str(model), "--strict", "--format", "json", *args)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)["findings"]


def test_the_bundled_claims_example_is_clean() -> None:
    result = run_grimoire("check", str(EXAMPLE / "design.yaml"), "--strict")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_example_that_is_not_the_proto3_json_of_the_message_is_reported(
    claims: Path,
) -> None:
    edit(claims, "lossType: LOSS_TYPE_COLLISION", "lossType: LOSS_TYPE_FLOOD")
    code, found = findings(claims)
    assert code == 1
    (finding,) = [f for f in found if f["rule"] == "SCH004"]
    assert "Invalid enum value LOSS_TYPE_FLOOD" in finding["message"]
    assert finding["line"] == line_of(claims, "    examples:") + 1


def test_a_partition_key_that_is_not_a_field_is_reported(claims: Path) -> None:
    edit(claims, "key: claim_id", "key: claim_ref")
    _, found = findings(claims)
    assert [(f["rule"], f["line"]) for f in found] == [
        ("SCH007", line_of(claims, "key: claim_ref"))
    ]


def test_a_key_may_be_named_by_its_json_name(claims: Path) -> None:
    edit(claims, "key: claim_id", "key: claimId")
    assert findings(claims) == (0, [])


def test_an_optional_key_field_is_reported(claims: Path) -> None:
    edit(
        claims.parent / "schemas" / "claim_filed.proto",
        "string claim_id",
        "optional string claim_id",
    )
    _, found = findings(claims)
    assert [f["rule"] for f in found] == ["SCH008"]


def test_personal_data_in_the_proto_must_be_declared(claims: Path) -> None:
    edit(
        claims,
        "    pii:\n      - field: claimant_email\n        protection: crypto-shredding\n",
        "",
    )
    _, found = findings(claims)
    (finding,) = [f for f in found if f["rule"] == "DAT004"]
    assert "'claimant_email'" in finding["message"]
    assert (Path(finding["file"]).name, finding["line"], finding["column"]) == (
        "claim_filed.proto",
        15,
        3,
    )


def test_a_proto_that_does_not_compile_is_located_in_the_proto(claims: Path) -> None:
    edit(
        claims.parent / "schemas" / "claim_filed.proto",
        "string policy_id = 2;",
        "string policy_id = ;",
    )
    code, found = findings(claims)
    assert code == 1
    (finding,) = found
    assert finding["rule"] == "SCH013"
    assert (Path(finding["file"]).name, finding["line"], finding["column"]) == (
        "claim_filed.proto",
        10,
        22,
    )


def test_a_file_of_several_messages_needs_the_payload_named(claims: Path) -> None:
    edit(claims, "    message: insurance.claims.v1.ClaimFiled\n", "")
    _, found = findings(claims)
    (finding,) = found
    assert finding["rule"] == "SCH013"
    assert "declares 2 top-level messages (ClaimFiled, Money)" in finding["message"]


def test_without_the_toolchain_check_names_the_install_command(claims: Path) -> None:
    result = run_grimoire_without_protobuf_toolchain("check", str(claims))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "pip install 'grpcio-tools>=1.60'" in result.stderr
    assert "Traceback" not in result.stderr


def test_compat_against_git_compares_the_proto_at_the_revision(claims: Path) -> None:
    folder = claims.parent
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    subprocess.run(["git", "add", "-A"], cwd=folder, check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], cwd=folder, check=True)
    edit(folder / "schemas" / "claim_filed.proto", "string policy_id = 2;", "int64 policy_id = 2;")
    result = run_grimoire("compat", "--against", "HEAD", str(claims), cwd=folder)
    assert result.returncode == 1
    assert (
        "claim_filed.proto:10:3: error CMP103 ClaimFiled: FIELD_SCALAR_KIND_CHANGED"
        in result.stdout
    )
    assert "compat: ClaimAssessed: BACKWARD: compatible (against HEAD)" in result.stdout


def test_diagrams_and_the_catalog_show_the_protobuf_event(tmp_path: Path) -> None:
    model = str(EXAMPLE / "design.yaml")
    assert run_grimoire("diagram", model, "--out", str(tmp_path / "d")).returncode == 0
    assert "ClaimFiled" in (tmp_path / "d" / "system-flow.mmd").read_text()
    assert run_grimoire("export", "docs", model, "-o", str(tmp_path / "docs")).returncode == 0
    page = (tmp_path / "docs" / "events" / "claim-filed.md").read_text()
    assert (
        "| Schema | Protobuf, message insurance.claims.v1.ClaimFiled, `claim_filed.proto` |" in page
    )
    assert "| `estimated_loss.amount` | yes | string | Decimal as text," in page
    assert "| `photo_ids` | no | repeated string |  |" in page


def test_asyncapi_carries_the_proto_and_the_official_parser_reads_it(
    tmp_path: Path, node_modules: Path
) -> None:
    target = tmp_path / "asyncapi.yaml"
    result = run_grimoire("export", "asyncapi", str(EXAMPLE / "design.yaml"), "-o", str(target))
    assert result.returncode == 0, result.stderr
    message = yaml.safe_load(target.read_text())["components"]["messages"]["ClaimFiled"]
    assert message["contentType"] == "application/x-protobuf"
    assert message["payload"]["schemaFormat"] == "application/vnd.google.protobuf;version=3"
    assert message["payload"]["schema"] == (EXAMPLE / "schemas" / "claim_filed.proto").read_text()
    assert message["bindings"]["kafka"]["key"]["type"] == "string"
    parsed = subprocess.run(
        ["node", str(PARSE_SCRIPT), str(node_modules), str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(parsed.stdout)[str(target)]
    assert [d for d in report["diagnostics"] if d["severity"] == 0] == []
    assert report["payloads"]["ClaimFiled"]["title"] == "ClaimFiled"
    assert "claimant_email" in report["payloads"]["ClaimFiled"]["properties"]


def test_import_of_the_export_keeps_the_proto_and_its_message(tmp_path: Path) -> None:
    exported = tmp_path / "asyncapi.yaml"
    imported = tmp_path / "design.yaml"
    assert (
        run_grimoire(
            "export", "asyncapi", str(EXAMPLE / "design.yaml"), "-o", str(exported)
        ).returncode
        == 0
    )
    assert run_grimoire("import", "asyncapi", str(exported), "-o", str(imported)).returncode == 0
    event = yaml.safe_load(imported.read_text())["events"]["ClaimFiled"]
    assert event["schema_format"] == "protobuf"
    assert event["message"] == "insurance.claims.v1.ClaimFiled"
    assert event["schema"] == (EXAMPLE / "schemas" / "claim_filed.proto").read_text()
    result = run_grimoire("check", str(imported), "--select", "SCH")
    assert result.returncode == 0, result.stdout


def test_a_transitive_mode_against_git_compares_every_committed_proto(claims: Path) -> None:
    folder, proto = claims.parent, claims.parent / "schemas" / "claim_filed.proto"
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    subprocess.run(["git", "add", "-A"], cwd=folder, check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], cwd=folder, check=True)
    edit(proto, "  string policy_id = 2;\n", "")
    subprocess.run([*git, "commit", "-qam", "v2: policy_id dropped"], cwd=folder, check=True)
    edit(
        proto, "  LossType loss_type = 3;\n", "  LossType loss_type = 3;\n  int64 policy_id = 2;\n"
    )
    backward = run_grimoire(
        "compat", "--against", "HEAD", str(claims), "--mode", "BACKWARD", cwd=folder
    )
    assert backward.returncode == 0, backward.stdout
    transitive = run_grimoire(
        "compat", "--against", "HEAD", str(claims), "--mode", "BACKWARD_TRANSITIVE", cwd=folder
    )
    assert transitive.returncode == 1, transitive.stdout
    assert "FIELD_SCALAR_KIND_CHANGED at #/ClaimFiled/2" in transitive.stdout
