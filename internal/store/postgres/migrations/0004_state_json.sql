-- Version 4: the run's stored state read as JSON, for the visibility
-- attributes that live in it (ParentWorkflowId, RootRunId, ...) and for the
-- parent a listing returns. A state that is not JSON (only tests write
-- such) reads as NULL rather than failing the query.
CREATE FUNCTION sundial_state_json(state bytea) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN convert_from(state, 'UTF8')::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;
