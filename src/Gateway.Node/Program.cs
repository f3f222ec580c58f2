Console.WriteLine("Gateway node: not yet wired up.");
