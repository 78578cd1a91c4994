#!/usr/bin/env python
from pingan.cli import main

if __name__ == "__main__":
    main()
