using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Gateway.Contracts.Tunnels;

namespace Gateway.Node.Relay;

/// <summary>What a redeemed token lets its bearer open on this node.</summary>
/// <param name="Via">the node that asked for the ticket (host:port), shown to the tunnel's owner</param>
/// <param name="Path">the path of the request the connection was opened for, as the asker said (display only)</param>
public sealed record RelayTicket(TunnelEndpoint Endpoint, Uri Upstream, IPEndPoint? Downstream, string? Via = null, string? Path = null);

/// <summary>
/// Tokens this node's relay actor issued and its relay listener accepts: 128 random bits, usable
/// once, expiring after <see cref="Lifetime"/>. Bounded, so a flood of requests cannot grow it.
/// </summary>
public sealed class RelayTicketStore
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);
    public const int MaxPending = 4096;

    private readonly ConcurrentDictionary<string, (RelayTicket Ticket, long ExpiresAt)> _pending = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public RelayTicketStore(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    public int Count => _pending.Count;

    /// <summary>Set while the node drains: no new tokens, so peers pick an endpoint on another node.</summary>
    public bool Refusing
    {
        get => Volatile.Read(ref _refusing);
        set => Volatile.Write(ref _refusing, value);
    }

    private bool _refusing;

    /// <summary>A new token for <paramref name="ticket"/>, or null when too many are outstanding.</summary>
    public string? Issue(RelayTicket ticket)
    {
        var now = _time.GetTimestamp();
        if (_pending.Count >= MaxPending) Sweep(now);
        if (_pending.Count >= MaxPending) return null;
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _pending[token] = (ticket, now + (long)(Lifetime.TotalSeconds * _time.TimestampFrequency));
        return token;
    }

    /// <summary>Removes and returns the ticket; null when unknown, already used or expired.</summary>
    public RelayTicket? Redeem(string token)
    {
        if (!_pending.TryRemove(token, out var entry)) return null;
        return _time.GetTimestamp() <= entry.ExpiresAt ? entry.Ticket : null;
    }

    private void Sweep(long now)
    {
        foreach (var (token, entry) in _pending)
            if (entry.ExpiresAt < now) _pending.TryRemove(token, out _);
    }
}
