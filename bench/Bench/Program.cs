using System.Globalization;
using Gateway.Bench;

// Subcommands used by bench/run. Each prints one result line "key=value ..." on stdout.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Bench grpc-server|grpc-load|ssh-server|tunnel-rate|idle-tunnels|fleet-tunnels|status-wait|http-wait|relay-transport [--option value ...]");
    return 2;
}
var options = BenchArgs.Parse(args.Skip(1));
// not disposed: ProcessExit may fire after Main has returned
var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
try
{
    return args[0] switch
    {
        "grpc-server" => await GrpcEchoServer.RunAsync(options, stop.Token),
        "grpc-load" => await GrpcLoad.RunAsync(options, stop.Token),
        "ssh-server" => await CommandSshServer.RunAsync(options, stop.Token),
        "tunnel-rate" => await TunnelConnectRate.RunAsync(options, stop.Token),
        "idle-tunnels" => await IdleTunnels.RunAsync(options, stop.Token),
        "fleet-tunnels" => await FleetTunnels.RunAsync(options, stop.Token),
        "status-wait" => await StatusWait.RunAsync(options, stop.Token),
        "http-wait" => await HttpWait.RunAsync(options, stop.Token),
        "relay-transport" => await RelayTransportComparison.RunAsync(options, stop.Token),
        _ => throw new ArgumentException($"unknown subcommand {args[0]}"),
    };
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return 0;
}
catch (Exception ex)
{
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench {args[0]} failed: {ex}"));
    return 1;
}
