"""daedalus.core"""
