using System.Net;
using System.Security.Cryptography;

namespace Gateway.Ssh.Server;

/// <summary>
/// Counts connections that have not authenticated yet, in total and per source address, and
/// decides on accept, before any work is started for a connection, whether it may have a slot:
/// <see cref="MaxStartups"/> random early drop globally, a hard cap per source address
/// (OpenSSH's <c>PerSourceMaxStartups</c>), and the server's cap on open connections.
/// </summary>
internal sealed class StartupSlots
{
    private readonly MaxStartups _maxStartups;
    private readonly int _perSource;
    private readonly int _maxConnections;
    private readonly Dictionary<IPAddress, int> _bySource = [];
    private readonly Lock _gate = new();
    private int _unauthenticated;
    private int _open;

    public StartupSlots(MaxStartups maxStartups, int perSourceMaxStartups, int maxConnections)
    {
        _maxStartups = maxStartups;
        _perSource = perSourceMaxStartups;
        _maxConnections = maxConnections;
    }

    public int Unauthenticated
    {
        get { lock (_gate) return _unauthenticated; }
    }

    /// <summary>A slot for a new connection, or null with the reason it was refused.</summary>
    public Slot? TryAcquire(EndPoint? remote, out string? refusal)
    {
        var source = remote is IPEndPoint ip ? Normalize(ip.Address) : null;
        lock (_gate)
        {
            refusal = null;
            if (_open >= _maxConnections)
                refusal = "connection limit reached";
            else if (source is not null && _bySource.GetValueOrDefault(source) >= _perSource)
                refusal = $"per-source limit of {_perSource} unauthenticated connections reached";
            else if (_maxStartups.ShouldDrop(_unauthenticated, RandomNumberGenerator.GetInt32(100)))
                refusal = $"{_unauthenticated} unauthenticated connections (MaxStartups {_maxStartups})";
            if (refusal is not null) return null;
            _open++;
            _unauthenticated++;
            if (source is not null) _bySource[source] = _bySource.GetValueOrDefault(source) + 1;
            return new Slot(this, source);
        }
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private void Authenticated(IPAddress? source)
    {
        lock (_gate)
        {
            _unauthenticated--;
            ForgetSourceLocked(source);
        }
    }

    private void Closed(IPAddress? source, bool wasAuthenticated)
    {
        lock (_gate)
        {
            _open--;
            if (wasAuthenticated) return;
            _unauthenticated--;
            ForgetSourceLocked(source);
        }
    }

    private void ForgetSourceLocked(IPAddress? source)
    {
        if (source is null) return;
        var left = _bySource.GetValueOrDefault(source) - 1;
        if (left <= 0) _bySource.Remove(source);
        else _bySource[source] = left;
    }

    /// <summary>One connection's place in the counts; each transition is applied once.</summary>
    internal sealed class Slot(StartupSlots owner, IPAddress? source)
    {
        private int _authenticated;
        private int _closed;

        public void MarkAuthenticated()
        {
            if (Volatile.Read(ref _closed) == 0 && Interlocked.Exchange(ref _authenticated, 1) == 0)
                owner.Authenticated(source);
        }

        public void Release()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0) return;
            // Claim the authentication transition too, so a late MarkAuthenticated is a no-op.
            var wasAuthenticated = Interlocked.Exchange(ref _authenticated, 1) != 0;
            owner.Closed(source, wasAuthenticated);
        }
    }
}
