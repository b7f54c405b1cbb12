//! The request-response codec: one length-prefixed frame of canonical bincode each way, with
//! explicit limits on both sides, so a peer can never make us allocate more than the limit.

use std::io;
use std::marker::PhantomData;

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::StreamProtocol;
use libp2p::request_response;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Bincode frames with a 4-byte big-endian length prefix.
#[derive(Debug)]
pub struct FrameCodec<Request, Response> {
    max_request_bytes: usize,
    max_response_bytes: usize,
    _messages: PhantomData<fn() -> (Request, Response)>,
}

impl<Request, Response> FrameCodec<Request, Response> {
    pub fn new(max_request_bytes: usize, max_response_bytes: usize) -> Self {
        FrameCodec {
            max_request_bytes,
            max_response_bytes,
            _messages: PhantomData,
        }
    }
}

impl<Request, Response> Clone for FrameCodec<Request, Response> {
    fn clone(&self) -> Self {
        FrameCodec::new(self.max_request_bytes, self.max_response_bytes)
    }
}

async fn read_frame<T: AsyncRead + Unpin + Send>(
    io: &mut T,
    max_bytes: usize,
) -> io::Result<Vec<u8>> {
    let mut prefix = [0u8; 4];
    io.read_exact(&mut prefix).await?;
    let len = u32::from_be_bytes(prefix) as usize;
    if len > max_bytes {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes is over the limit of {max_bytes}"),
        ));
    }
    let mut frame = vec![0u8; len];
    io.read_exact(&mut frame).await?;
    Ok(frame)
}

async fn write_frame<T: AsyncWrite + Unpin + Send>(
    io: &mut T,
    frame: &[u8],
    max_bytes: usize,
) -> io::Result<()> {
    if frame.len() > max_bytes {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "frame of {} bytes is over the limit of {max_bytes}",
                frame.len()
            ),
        ));
    }
    let len = u32::try_from(frame.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame too large"))?;
    io.write_all(&len.to_be_bytes()).await?;
    io.write_all(frame).await
}

fn decode<M: Serialize + DeserializeOwned>(frame: &[u8]) -> io::Result<M> {
    // The frame length is already bounded; usize::MAX here only means "no second limit".
    bureau_core::codec::decode_canonical::<M, { usize::MAX }>(frame)
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error.to_string()))
}

impl<Request, Response> request_response::Codec for FrameCodec<Request, Response>
where
    Request: Serialize + DeserializeOwned + Send + 'static,
    Response: Serialize + DeserializeOwned + Send + 'static,
{
    type Protocol = StreamProtocol;
    type Request = Request;
    type Response = Response;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Request>
    where
        T: AsyncRead + Unpin + Send,
    {
        decode(&read_frame(io, self.max_request_bytes).await?)
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Response>
    where
        T: AsyncRead + Unpin + Send,
    {
        decode(&read_frame(io, self.max_response_bytes).await?)
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        request: Request,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(
            io,
            &bureau_core::codec::encode(&request),
            self.max_request_bytes,
        )
        .await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        response: Response,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(
            io,
            &bureau_core::codec::encode(&response),
            self.max_response_bytes,
        )
        .await
    }
}
