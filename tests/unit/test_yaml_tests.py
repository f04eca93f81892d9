"""The YAML validator and the blocks <-> YAML conversions, without HTTP."""

import yaml

from emulator.revyl import yaml_tests
from emulator.revyl.catalog import RevylFixtures
from emulator.settings import DEFAULT_FIXTURES

VALID = """\
test:
  metadata:
    name: login
    platform: ios
  build:
    name: acme-shop-ios
  variables:
    email: a@b.c
  blocks:
    - type: instructions
      step_description: "Type {{email}}"
    - type: extraction
      step_description: Read the total
      variable_name: total
    - type: if
      condition: A banner is visible
      then:
        - type: validation
          step_description: "Total is {{total}}"
    - type: manual
      step_type: wait
      step_description: "3"
"""


def codes(report):
    return [(m.code, m.field_path, m.line) for m in report.messages]


def test_valid_test_has_no_messages():
    report = yaml_tests.validate(VALID)
    assert report.valid and report.messages == [] and len(report.blocks) == 4


def test_the_clis_invalid_example_gives_codes_paths_and_lines():
    report = yaml_tests.validate(
        'test:\n  metadata:\n    name: ""\n    platform: invalid_platform\n  blocks:\n'
        '    - type: nonexistent_type\n      step_description: "x"\n')
    assert codes(report) == [
        ("MISSING_REQUIRED_FIELD", "test.metadata.name", 3),
        ("INVALID_PLATFORM", "test.metadata.platform", 4),
        ("MISSING_REQUIRED_FIELD", "test.build.name", 2),
        ("INVALID_BLOCK_TYPE", "test.blocks[0].type", 6)]
    block_type = report.messages[-1]
    assert block_type.message == "Unsupported block type: nonexistent_type"
    assert block_type.suggestion.startswith("Use one of: instructions, validation")
    assert report.wire("full_test")["errors"] == 4


def test_syntax_error_and_wrong_root():
    broken = yaml_tests.validate("test:\n  metadata: [unclosed\n")
    assert broken.messages[0].code == "YAML_SYNTAX_ERROR" and broken.messages[0].line
    assert yaml_tests.validate("- just\n- a list\n").messages[0].code == "MISSING_TEST_ROOT"
    assert yaml_tests.validate("").messages[0].code == "MISSING_TEST_ROOT"


def test_unsafe_tags_are_refused_not_executed():
    report = yaml_tests.validate("test: !!python/object/apply:os.system ['true']\n")
    assert report.messages[0].code == "YAML_SYNTAX_ERROR"


def test_block_level_errors():
    text = VALID.replace("step_description: \"3\"", "step_description: soon").replace(
        "Type {{email}}", "Type {{nobody}}")
    text += ("    - type: while\n      condition: x\n    - type: manual\n      step_type: fly\n"
             "    - type: extraction\n      step_description: y\n"
             "    - type: code_execution\n      script: my-script\n")
    found = {m.code for m in yaml_tests.validate(text).messages}
    assert found == {"INVALID_STEP_VALUE", "UNDEFINED_VARIABLE", "MISSING_REQUIRED_FIELD",
                     "INVALID_STEP_TYPE", "UNKNOWN_SCRIPT"}


def test_legacy_shorthand_is_accepted_with_a_warning():
    text = ("test:\n  metadata: {name: t, platform: android}\n  build: {name: a}\n  blocks:\n"
            "    - instructions: Tap login\n    - manual: {step_type: wait, duration: 3}\n")
    report = yaml_tests.validate(text)
    assert report.valid and report.warnings == 2
    assert report.blocks == [{"type": "instructions", "step_description": "Tap login"},
                             {"type": "manual", "step_type": "wait", "step_description": "3"}]


def test_blocks_only_mode():
    assert yaml_tests.validate("- type: instructions\n  step_description: x\n",
                               "blocks_only").valid
    assert not yaml_tests.validate("blocks: []\n", "blocks_only").valid


def test_round_trip_is_lossless_on_the_fixtures():
    counter = iter(range(10_000))
    for test in RevylFixtures.load(DEFAULT_FIXTURES).tests:
        json_blocks = yaml_tests.to_json_blocks(test.blocks, lambda: f"id-{next(counter)}")
        assert all("id" in b and "step_type" in b for b in json_blocks)
        text = yaml_tests.to_yaml(yaml_tests.from_json_blocks(json_blocks),
                                  {"name": test.name, "platform": test.platform,
                                   "app_name": "acme", "variables": test.variables})
        report = yaml_tests.validate(text)
        assert report.valid, report.messages
        assert report.blocks == test.blocks
        again = yaml_tests.to_yaml(report.blocks, {"name": test.name, "platform": test.platform,
                                                   "app_name": "acme",
                                                   "variables": test.variables})
        assert again == text
        assert yaml.safe_load(text)["test"]["metadata"]["name"] == test.name


def test_check_blocks_validates_json_blocks():
    good = yaml_tests.check_blocks([{"type": "instructions", "step_description": "x"},
                                    {"type": "if", "step_description": "c",
                                     "thenChildren": [{"type": "validation",
                                                       "step_description": "v"}],
                                     "elseChildren": []}])
    assert good.valid and good.blocks[1]["then"][0]["type"] == "validation"
    assert not yaml_tests.check_blocks([{"type": "bogus"}]).valid
    assert not yaml_tests.check_blocks([]).valid


def test_alias_bombs_and_deep_nesting_are_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 12):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]\n"
    report = yaml_tests.validate(bomb)
    assert report.messages[0].code == "YAML_TOO_COMPLEX"
    deep = yaml_tests.validate("[" * 5000 + "]" * 5000)
    assert deep.messages[0].code in ("YAML_TOO_COMPLEX", "YAML_SYNTAX_ERROR")
