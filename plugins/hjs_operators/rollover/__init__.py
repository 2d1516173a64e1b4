"""Package rollover, in plain Python (no Airflow imports); the operators in
hjs_operators.operators.rollover wire it to Airflow.

- packages: roll_over, one package on sale per channel (the next PENDING one opened when it sells out);
- compliance: check_compliance, no package over the holder limit or with more shares held than it has.
"""

from .compliance import Breach, PackageComplianceError, check_compliance, compliance_breaches
from .packages import ChannelRollover, roll_over, roll_over_channel

__all__ = ["Breach", "ChannelRollover", "PackageComplianceError", "check_compliance", "compliance_breaches",
           "roll_over", "roll_over_channel"]
