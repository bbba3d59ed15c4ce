"""What setup.cfg cannot say: the injector's tokenizers and file calls compiled from C.

Optional: where no C compiler is found the install goes on and the injector uses the same
tokenizers (injector/scan.py) and file calls (injector/files.py) in Python, which give the same
answers more slowly.
"""
from setuptools import Extension, setup

setup(ext_modules=[Extension("injector._fastscan", ["injector/_fastscan.c"], optional=True),
                   Extension("injector._fastio", ["injector/_fastio.c"], optional=True)])
