"""Django's SQLite backend, told the real variable limit of the SQLite it runs on.

Django assumes SQLite's historic 999 bound variables per statement and splits bulk writes into
many small statements; SQLite 3.32 and newer allow 32,766. With the real limit a bulk write of a
thousand rows is one statement, so the engine's query count does not grow with the contacts.
"""
