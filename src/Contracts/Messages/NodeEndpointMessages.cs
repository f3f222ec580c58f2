using System.Collections.Immutable;
using Gateway.Contracts.Tunnels;

namespace Gateway.Contracts.Messages;

/// <summary>
/// What changed in one node's endpoints since its previous delta, published by that node to every
/// node. Each node is the only authority for the endpoints of the SSH connections it holds; its
/// deltas are numbered 1, 2, 3, ... within one <see cref="Incarnation"/> (one run of the node), so
/// a replica that sees a gap knows it missed one and asks for a <see cref="NodeEndpointsSnapshot"/>.
/// Removals apply before additions. <see cref="RemovedSessions"/> removes every endpoint of an SSH
/// connection that ended, however many routes it served, in one entry.
/// </summary>
public sealed record NodeEndpointsDelta(
    string NodeAddress,
    string Incarnation,
    long Sequence,
    ImmutableArray<TunnelEndpoint> Added,
    ImmutableArray<string> RemovedEndpoints,
    ImmutableArray<string> RemovedSessions) : IGatewayMessage
{
    /// <summary>
    /// Endpoints per message: a delta (or snapshot part) with this many takes about 52 KB, so it
    /// stays below Akka.Remote's 128,000-byte frame even with endpoints twice the usual size
    /// (an endpoint is about 345 bytes of JSON).
    /// </summary>
    public const int MaxEndpointsPerMessage = 150;
}

/// <summary>
/// Published by every node every few seconds: the last delta it sent and how many endpoints it
/// holds. A replica whose record of that node differs asks for a snapshot, so a lost delta is
/// repaired within one digest interval.
/// </summary>
public sealed record NodeEndpointsDigest(string NodeAddress, string Incarnation, long Sequence, int Count) : IGatewayMessage;

/// <summary>Sent to a node's endpoint directory: "send me all your endpoints".</summary>
public sealed record NodeEndpointsSnapshotRequest(string NodeAddress) : IGatewayMessage;

/// <summary>
/// One part of a node's full endpoint set as of delta <see cref="Sequence"/>: parts
/// 1..<see cref="Parts"/>, each at most <see cref="NodeEndpointsDelta.MaxEndpointsPerMessage"/> endpoints.
/// </summary>
public sealed record NodeEndpointsSnapshot(
    string NodeAddress,
    string Incarnation,
    long Sequence,
    int Part,
    int Parts,
    ImmutableArray<TunnelEndpoint> Endpoints) : IGatewayMessage;
