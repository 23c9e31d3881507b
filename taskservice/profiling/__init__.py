"""Profiling inside the service: yappi runs tagged by route, and flame graphs of what they saw.

Other parts import only what is listed in __all__. Nothing here imports tornado.
"""

from taskservice.profiling.collapse import collapsed_from_yappi
from taskservice.profiling.output import OutputError, check_output_folder, file_names, save_profile
from taskservice.profiling.render import RenderError, render_svg
from taskservice.profiling.session import ProfilerBusy, ProfilerMissing, YappiSession
from taskservice.profiling.stats import CLOCKS, ProfileStats
from taskservice.profiling.tags import ROUTE_TAG, ROUTES, RouteTags
from taskservice.profiling.top import top_table

__all__ = [
    "CLOCKS",
    "ROUTES",
    "ROUTE_TAG",
    "OutputError",
    "ProfileStats",
    "ProfilerBusy",
    "ProfilerMissing",
    "RenderError",
    "RouteTags",
    "YappiSession",
    "check_output_folder",
    "collapsed_from_yappi",
    "file_names",
    "render_svg",
    "save_profile",
    "top_table",
]
