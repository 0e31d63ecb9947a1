"""Builds the optional compiled line scanner; without a C compiler the install still succeeds without it."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "databloom_splitter",
            ["splitter.c"],
            extra_compile_args=["-O2", "-std=c99"],
            optional=True,  # no compiler: a warning, and Data Bloom parses with its polars regex path alone
        )
    ]
)
