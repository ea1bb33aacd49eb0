"""Hardware drivers: card readers, printer, camera and serial devices, each with a simulator."""
