"""What setup.cfg cannot say: the injector's tokenizers compiled from C.

Optional: where no C compiler is found the install goes on and the injector uses the same
tokenizers in Python (injector/scan.py), which give the same answers more slowly.
"""
from setuptools import Extension, setup

setup(ext_modules=[Extension("injector._fastscan", ["injector/_fastscan.c"], optional=True)])
