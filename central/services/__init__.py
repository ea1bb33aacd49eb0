"""The citizen services a kiosk offers and the operator routes behind them: letters,
complaints, bansos, queue tickets, documents, tracking, village information, the fleet."""
