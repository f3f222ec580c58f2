namespace Gateway.Config;

/// <summary>One <c>health_checks</c> entry in Envoy's shape (as Pomerium passes it through).</summary>
public sealed record HealthCheckConfig
{
    public required TimeSpan Timeout { get; init; }

    public required TimeSpan Interval { get; init; }

    public TimeSpan? InitialJitter { get; init; }

    public TimeSpan? IntervalJitter { get; init; }

    public int? IntervalJitterPercent { get; init; }

    public required int UnhealthyThreshold { get; init; }

    public required int HealthyThreshold { get; init; }

    public int? AltPort { get; init; }

    public bool? ReuseConnection { get; init; }

    public TimeSpan? NoTrafficInterval { get; init; }

    public TimeSpan? NoTrafficHealthyInterval { get; init; }

    public TimeSpan? UnhealthyInterval { get; init; }

    public TimeSpan? UnhealthyEdgeInterval { get; init; }

    public TimeSpan? HealthyEdgeInterval { get; init; }

    public bool AlwaysLogHealthCheckFailures { get; init; }

    public bool AlwaysLogHealthCheckSuccess { get; init; }

    /// <summary>Exactly one of <see cref="Http"/>, <see cref="Tcp"/>, <see cref="Grpc"/> is set.</summary>
    public HttpHealthCheck? Http { get; init; }

    public TcpHealthCheck? Tcp { get; init; }

    public GrpcHealthCheck? Grpc { get; init; }
}

public enum HealthCheckCodec
{
    Http1,
    Http2,
    Http3,
}

/// <summary><c>http_health_check</c>.</summary>
public sealed record HttpHealthCheck
{
    public string? Host { get; init; }

    public required string Path { get; init; }

    public HealthCheckPayload? Send { get; init; }

    public IReadOnlyList<HealthCheckPayload> Receive { get; init; } = [];

    public int? ResponseBufferSize { get; init; }

    public IReadOnlyList<string> RequestHeadersToRemove { get; init; } = [];

    /// <summary>Half-open ranges [start, end); empty means Envoy's default, 200 only.</summary>
    public IReadOnlyList<StatusRange> ExpectedStatuses { get; init; } = [];

    public IReadOnlyList<StatusRange> RetriableStatuses { get; init; } = [];

    public HealthCheckCodec CodecClientType { get; init; } = HealthCheckCodec.Http1;
}

/// <summary>An HTTP status range [Start, End) as Envoy's Int64Range.</summary>
public sealed record StatusRange(int Start, int End)
{
    public bool Contains(int status) => status >= Start && status < End;
}

/// <summary><c>tcp_health_check</c>.</summary>
public sealed record TcpHealthCheck(HealthCheckPayload? Send, IReadOnlyList<HealthCheckPayload> Receive);

/// <summary><c>grpc_health_check</c>.</summary>
public sealed record GrpcHealthCheck(string? ServiceName, string? Authority);

/// <summary>A payload: Envoy's <c>{text}</c> is hex, <c>{binary}</c> is base64; both decoded here.</summary>
public sealed record HealthCheckPayload(byte[] Bytes);
