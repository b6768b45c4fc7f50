import Button from '@material-ui/core/Button';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import Menu from '@material-ui/core/Menu';
import MenuItem from '@material-ui/core/MenuItem';
import CheckBoxIcon from '@material-ui/icons/CheckBox';
import CheckBoxOutlineBlankIcon from '@material-ui/icons/CheckBoxOutlineBlank';
import ViewColumnIcon from '@material-ui/icons/ViewColumn';
import { useState } from 'react';

const MENU_ID = 'security-observations-column-chooser';

/**
 * The "Columns" menu: one checkable item per optional column. It stays
 * open while columns are toggled, and closes on Escape or a click outside.
 */
export function ColumnChooser<Id extends string>({
  columns,
  isHidden,
  onChange,
}: {
  columns: { id: Id; title: string }[];
  isHidden: (id: Id) => boolean;
  onChange: (id: Id, hidden: boolean) => void;
}) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  return (
    <>
      <Button
        startIcon={<ViewColumnIcon />}
        aria-haspopup="true"
        aria-controls={anchor ? MENU_ID : undefined}
        onClick={event => setAnchor(event.currentTarget)}
      >
        Columns
      </Button>
      <Menu
        id={MENU_ID}
        anchorEl={anchor}
        open={!!anchor}
        onClose={() => setAnchor(null)}
        getContentAnchorEl={null}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'left' }}
        MenuListProps={{ 'aria-label': 'Columns' }}
      >
        {columns.map(({ id, title }) => {
          const shown = !isHidden(id);
          return (
            <MenuItem
              key={id}
              role="menuitemcheckbox"
              aria-checked={shown}
              onClick={() => onChange(id, shown)}
              dense
            >
              <ListItemIcon>
                {shown ? (
                  <CheckBoxIcon color="primary" fontSize="small" />
                ) : (
                  <CheckBoxOutlineBlankIcon fontSize="small" />
                )}
              </ListItemIcon>
              <ListItemText primary={title} />
            </MenuItem>
          );
        })}
      </Menu>
    </>
  );
}
