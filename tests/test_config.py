"""Settings from the environment, and the secret key made once in instance/."""
import os
import stat
from concurrent.futures import ThreadPoolExecutor

from caregiver import config


def test_the_secret_key_is_made_once_private_and_the_same_for_every_worker(tmp_path):
    # Eight workers starting at once all read the same, whole key.
    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: config.secret_key(tmp_path), range(8)))
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left
    assert config.secret_key(tmp_path) == keys[0]


def test_environment_variables_override_the_defaults():
    got = config.from_environment({"CAREGIVER_LOGIN_MAX_FAILURES": "7", "CAREGIVER_SESSION_COOKIE_SECURE": "0",
                                   "CAREGIVER_DATABASE": "/tmp/x.db", "UNRELATED": "1"})
    assert got == {"LOGIN_MAX_FAILURES": 7, "SESSION_COOKIE_SECURE": False, "DATABASE": "/tmp/x.db"}
