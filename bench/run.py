"""`make bench`: the partner API benchmark, then the sweeps benchmark when it exists."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = 0
    for script in ["api.py", "sweeps.py"]:
        path = HERE / script
        if not path.exists():
            print(f"(bench/{script} not present: skipped)")
            continue
        print(f"==> bench/{script}", flush=True)
        failed |= subprocess.run([sys.executable, str(path), *sys.argv[1:]], check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
