"""The built-in demo organization and a fake Close API that serves it."""

from closetui.demo.data import DEMO_API_KEY, DemoOrg
from closetui.demo.router import FakeClose, Fault, Faults
from closetui.demo.server import DemoServer
from closetui.demo.transport import DemoTransport

__all__ = ["DEMO_API_KEY", "DemoOrg", "DemoServer", "DemoTransport", "FakeClose", "Fault", "Faults"]
