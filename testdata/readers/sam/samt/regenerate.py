"""Writes SAMT's output for the pg_* inputs (or makes pairs from a corpus); see README.md."""
import copy
import datetime
import glob
import json
import os
import sys
from unittest.mock import Mock

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from samtranslator.model.exceptions import InvalidDocumentException  # noqa: E402
from samtranslator.translator.transform import transform  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402


def translate(template):
    loader = Mock()
    loader.load.return_value = {}
    try:
        return transform(copy.deepcopy(template), {}, loader)
    except InvalidDocumentException as e:
        causes = [c.message for c in e.causes]
        head = ["Invalid Serverless Application Specification document.", f"Number of errors found: {len(causes)}."]
        return {"errorMessage": " ".join(head + causes)}


def strings(value):
    """Dates PyYAML reads (`AWSTemplateFormatVersion: 2010-09-09`) back to strings."""
    if isinstance(value, dict):
        return {k: strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strings(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return str(value)
    return value


def packaged(props):
    """Local code locations become S3 URIs, as `sam package` would make them."""
    if not isinstance(props, dict):
        return
    for key in ("CodeUri", "ContentUri", "DefinitionUri"):
        value = props.get(key)
        if isinstance(value, str) and not value.startswith("s3://"):
            props[key] = "s3://bucket/" + (value.strip("./") or "root")


def pg_outputs(pairs):
    for path in sorted(glob.glob(os.path.join(pairs, "input", "*pg_*.yaml"))):
        name = os.path.basename(path)[: -len(".yaml")]
        with open(path, encoding="utf-8") as f:
            out = translate(yaml_parse(f.read()))
        with open(os.path.join(pairs, "output", name + ".json"), "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2, sort_keys=True)
            f.write("\n")


def corpus_pairs(corpus, out_dir):
    for path in sorted(glob.glob(os.path.join(corpus, "**", "*.y*ml"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if "AWS::Serverless-2016-10-31" not in text or "{{" in text:
            continue
        try:
            template = strings(yaml_parse(text))
        except Exception:  # noqa: BLE001 - not a template this tool can read
            continue
        if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
            continue
        for section in (template.get("Globals") or {}).values():
            packaged(section)
        for resource in template["Resources"].values():
            if isinstance(resource, dict):
                packaged(resource.get("Properties"))
        out = translate(template)
        if "errorMessage" in out:
            continue
        name = os.path.relpath(path, corpus).replace(os.sep, "__")
        for suffix, value in ((".input.json", template), (".output.json", out)):
            with open(os.path.join(out_dir, name + suffix), "w", encoding="utf-8") as f:
                json.dump(value, f, indent=1, default=str)


if __name__ == "__main__":
    if len(sys.argv) == 2:
        pg_outputs(sys.argv[1])
    else:
        corpus_pairs(sys.argv[2], sys.argv[3])
