using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing;

/// <summary>
/// Hands out loopback TCP ports for programs a test starts itself (a gateway node, sshd, nginx),
/// where the port must be written into their config before they bind it.
/// </summary>
/// <remarks>
/// Asking the OS for port 0 and releasing it is racy twice over: the port comes from the
/// ephemeral range, so any other socket — an Akka remoting listener bound to port 0, an outgoing
/// connection — may get it before the program binds it; and test assemblies run in parallel
/// processes that may be handed the same port. Ports here come from below the ephemeral range
/// and each is claimed with a file created exclusively in a directory shared by every test
/// process on the machine, so no two claims in a run overlap.
/// </remarks>
public static class LoopbackPorts
{
    /// <summary>
    /// The fixed ports the README tells a person to use (HTTPS 8443, SSH 2222, the sample web
    /// server on 8080): never handed out by <see cref="Reserve"/>; a test that runs the README's
    /// commands takes them with <see cref="ClaimAsync"/>.
    /// </summary>
    public static readonly IReadOnlySet<int> ReadmePorts = new HashSet<int> { 8443, 2222, 8080 };

    private const int LowestPort = 20000;
    private static readonly TimeSpan ClaimLifetime = TimeSpan.FromMinutes(30);
    private static readonly string ClaimDirectory = Path.Combine(Path.GetTempPath(), "gateway-test-ports");
    private static readonly object Gate = new();
    private static int _next = -1;
    private static int _highest;

    /// <summary>A port free now, claimed for this test run, outside the ephemeral range.</summary>
    public static int Reserve()
    {
        lock (Gate)
        {
            if (_next < 0) Initialise();
            var span = _highest - LowestPort + 1;
            for (var tried = 0; tried < span; tried++)
            {
                var port = _next;
                _next = port >= _highest ? LowestPort : port + 1;
                if (ReadmePorts.Contains(port)) continue;
                if (TryClaim(port) && IsFree(port)) return port;
            }
            RemoveStaleClaims();
            throw new InvalidOperationException($"no free loopback port left in {LowestPort}-{_highest}");
        }
    }

    /// <summary>
    /// Claims one fixed port for this process, waiting (bounded) while another test process holds
    /// it; the claim ends when the result is disposed. Fails if a program outside the tests has it.
    /// </summary>
    public static async Task<IDisposable> ClaimAsync(int port, TimeSpan wait)
    {
        Directory.CreateDirectory(ClaimDirectory);
        var deadline = DateTime.UtcNow + wait;
        while (!TryClaim(port))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"port {port} stayed claimed by another test process for {wait}");
            RemoveStaleClaims();
            await Task.Delay(500);
        }
        var claim = new PortClaim(ClaimPath(port));
        // A process the previous holder killed may still be exiting: give its socket a moment.
        var freeBy = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!IsFree(port) && DateTime.UtcNow < freeBy)
            await Task.Delay(250);
        if (!IsFree(port))
        {
            claim.Dispose();
            throw new InvalidOperationException($"port {port} is in use by a program outside the tests");
        }
        return claim;
    }

    private sealed class PortClaim(string path) : IDisposable
    {
        public void Dispose()
        {
            try { File.Delete(path); } catch (IOException) { }
        }
    }

    private static string ClaimPath(int port) => Path.Combine(ClaimDirectory, port.ToString(CultureInfo.InvariantCulture));

    private static void Initialise()
    {
        _highest = EphemeralRangeStart() - 1;
        if (_highest <= LowestPort + 1000)
            throw new InvalidOperationException($"the ephemeral port range starts at {_highest + 1}; tests need ports below it");
        Directory.CreateDirectory(ClaimDirectory);
        RemoveStaleClaims();
        // Processes start at different offsets so they rarely contend for the same files.
        _next = LowestPort + Random.Shared.Next(_highest - LowestPort);
    }

    private static bool TryClaim(int port)
    {
        var path = ClaimPath(port);
        try
        {
            using var claim = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static void RemoveStaleClaims()
    {
        var cutoff = DateTime.UtcNow - ClaimLifetime;
        foreach (var file in Directory.EnumerateFiles(ClaimDirectory))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(file) < cutoff) File.Delete(file);
            }
            catch (IOException)
            {
                // Another process removed it first.
            }
        }
    }

    private static int EphemeralRangeStart()
    {
        const string rangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
        if (!File.Exists(rangeFile)) return 32768;
        var fields = File.ReadAllText(rangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 0 && int.TryParse(fields[0], CultureInfo.InvariantCulture, out var low) ? low : 32768;
    }
}
